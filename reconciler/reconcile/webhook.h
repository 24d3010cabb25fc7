// WebhookServer: receives push events from a git host over HTTP and wakes the reconciler.
//
// GitHub signs the body with HMAC-SHA256 under a shared secret (`X-Hub-Signature-256:
// sha256=<hex>`); GitLab sends the secret itself (`X-Gitlab-Token`). A request whose signature or
// token does not check out gets 401 and changes nothing; a push to the watched branch gets 202 and
// calls `on_push`; anything else that is signed (a ping, a push to another branch) gets 200 and
// changes nothing. The secret is never logged. Requests are served on the server's own threads;
// `on_push` must be thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"

namespace httplib {
class Server;
}

namespace strata::reconcile {

// "sha256=" and the hex HMAC-SHA256 of `body` under `secret`: what GitHub sends in
// X-Hub-Signature-256 ("" when OpenSSL fails).
std::string GithubSignature(std::string_view secret, std::string_view body);
// True when `header` is "sha256=" followed by the hex HMAC-SHA256 of `body` under `secret`.
// Compared in constant time.
bool VerifyGithubSignature(std::string_view secret, std::string_view body, std::string_view header);
// True when `token` equals `secret`, compared in constant time.
bool VerifyGitlabToken(std::string_view secret, std::string_view token);

// What a request to /webhook carries that matters: the headers (an absent credential is nullopt,
// an absent event name empty) and the body.
struct WebhookRequest {
  std::optional<std::string> github_signature;  // X-Hub-Signature-256
  std::optional<std::string> gitlab_token;      // X-Gitlab-Token
  std::string github_event;                     // X-GitHub-Event
  std::string gitlab_event;                     // X-Gitlab-Event
  std::string_view body;
};

// What the server answers: 401 refused, 202 a push to `watched_ref` (the server calls on_push),
// 200 signed but ignored. Pure, so that the server and the fuzzer run the same code.
struct WebhookReply {
  int status = 200;
  std::string text;
};
WebhookReply AnswerWebhook(std::string_view secret, std::string_view watched_ref,
                           const WebhookRequest& request);

struct WebhookOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: a free port, see WebhookServer::port()
  std::string secret;
  std::string branch = "main";
};

class WebhookServer {
 public:
  ~WebhookServer();
  // Serves POST /webhook. kInvalidArgument without a secret; kUnavailable when it cannot bind.
  static Result<std::unique_ptr<WebhookServer>> Start(const WebhookOptions& options,
                                                      std::function<void()> on_push);
  int port() const { return port_; }

 private:
  WebhookServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace strata::reconcile

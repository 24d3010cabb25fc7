#include "reconciler/reconcile/webhook.h"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>
#include <optional>

#include "core/http_listener.h"
#include "core/log_throttle.h"

namespace strata::reconcile {
namespace {

constexpr size_t kMaxBody = 25 << 20;  // GitHub caps push payloads at 25 MB
constexpr auto kRefusalLogWindow = std::chrono::seconds(10);

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::string GithubSignature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
           &mac_length) == nullptr) {
    return "";
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string signature = "sha256=";
  for (unsigned i = 0; i < mac_length; ++i) {
    signature += kHex[mac[i] >> 4];
    signature += kHex[mac[i] & 15];
  }
  return signature;
}

bool VerifyGithubSignature(std::string_view secret, std::string_view body, std::string_view header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (secret.empty() || header.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string expected = GithubSignature(secret, body);
  return !expected.empty() && ConstantTimeEqual(expected, header);
}

bool VerifyGitlabToken(std::string_view secret, std::string_view token) {
  return !secret.empty() && ConstantTimeEqual(secret, token);
}

WebhookReply AnswerWebhook(std::string_view secret, std::string_view watched_ref,
                           const WebhookRequest& request) {
  bool github = request.github_signature.has_value();
  bool gitlab = request.gitlab_token.has_value();
  bool verified =
      (github && VerifyGithubSignature(secret, request.body, *request.github_signature)) ||
      (gitlab && VerifyGitlabToken(secret, *request.gitlab_token));
  if (!verified) return {401, "signature does not match\n"};
  const std::string& event = github ? request.github_event : request.gitlab_event;
  nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
  bool is_push = event == "push" || event == "Push Hook";
  if (!is_push || body.is_discarded() || !body.is_object()) {
    return {200, "ignored: not a push event\n"};
  }
  auto ref = body.find("ref");
  if (ref == body.end() || !ref->is_string() || ref->get<std::string>() != watched_ref) {
    return {200, "ignored: not a push to " + std::string(watched_ref) + "\n"};
  }
  return {202, "accepted\n"};
}

WebhookServer::~WebhookServer() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

Result<std::unique_ptr<WebhookServer>> WebhookServer::Start(const WebhookOptions& options,
                                                            std::function<void()> on_push) {
  if (options.secret.empty()) {
    return Status::InvalidArgument("the webhook needs a secret (--webhook-secret-file)");
  }
  std::unique_ptr<WebhookServer> webhook(new WebhookServer());
  webhook->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *webhook->server_;
  server.set_payload_max_length(kMaxBody);
  std::string watched_ref = "refs/heads/" + options.branch;
  // Anyone who can reach the port can send refused requests: one line per 10 s says how many.
  auto refusals = std::make_shared<LogThrottle>(kRefusalLogWindow);
  server.Post("/webhook", [options, watched_ref, on_push, refusals](const httplib::Request& request,
                                                                    httplib::Response& response) {
    WebhookRequest hook;
    hook.body = request.body;
    if (request.has_header("X-Hub-Signature-256")) {
      hook.github_signature = request.get_header_value("X-Hub-Signature-256");
    }
    if (request.has_header("X-Gitlab-Token")) {
      hook.gitlab_token = request.get_header_value("X-Gitlab-Token");
    }
    hook.github_event = request.get_header_value("X-GitHub-Event");
    hook.gitlab_event = request.get_header_value("X-Gitlab-Event");
    WebhookReply reply = AnswerWebhook(options.secret, watched_ref, hook);
    if (reply.status == 401) {
      if (std::optional<uint64_t> held_back = refusals->Allow(); held_back.has_value()) {
        spdlog::warn("webhook: refused a request from {} with a {} signature{}", request.remote_addr,
                     hook.github_signature || hook.gitlab_token ? "bad" : "missing",
                     *held_back == 0 ? std::string()
                                     : " (and " + std::to_string(*held_back) +
                                           " more refused since the last such line)");
      }
    } else if (reply.status == 202) {
      spdlog::info("webhook: push to {} announced", watched_ref);
      on_push();
    }
    response.status = reply.status;
    response.set_content(reply.text, "text/plain");
  });
  // The shared listener: the port is never shared with another process, and the backlog is
  // raised above httplib's 5, which a flood of deliveries overflows.
  auto port = ListenInBackground(server, options.host, options.port, webhook->thread_);
  if (!port.ok()) return Status::Unavailable("the webhook " + port.status().message());
  webhook->port_ = *port;
  return webhook;
}

}  // namespace strata::reconcile

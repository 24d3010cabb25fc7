#include "reconciler/reconcile/webhook.h"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <chrono>

namespace strata::reconcile {
namespace {

constexpr size_t kMaxBody = 25 << 20;  // GitHub caps push payloads at 25 MB

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

bool VerifyGithubSignature(std::string_view secret, std::string_view body, std::string_view header) {
  constexpr std::string_view kPrefix = "sha256=";
  if (secret.empty() || header.substr(0, kPrefix.size()) != kPrefix) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac,
           &mac_length) == nullptr) {
    return false;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string expected;
  for (unsigned i = 0; i < mac_length; ++i) {
    expected += kHex[mac[i] >> 4];
    expected += kHex[mac[i] & 15];
  }
  return ConstantTimeEqual(expected, header.substr(kPrefix.size()));
}

bool VerifyGitlabToken(std::string_view secret, std::string_view token) {
  return !secret.empty() && ConstantTimeEqual(secret, token);
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
  server.Post("/webhook", [options, watched_ref, on_push](const httplib::Request& request,
                                                          httplib::Response& response) {
    bool github = request.has_header("X-Hub-Signature-256");
    bool gitlab = request.has_header("X-Gitlab-Token");
    bool verified =
        (github && VerifyGithubSignature(options.secret, request.body,
                                         request.get_header_value("X-Hub-Signature-256"))) ||
        (gitlab && VerifyGitlabToken(options.secret, request.get_header_value("X-Gitlab-Token")));
    if (!verified) {
      spdlog::warn("webhook: refused a request from {} with a {} signature",
                   request.remote_addr, github || gitlab ? "bad" : "missing");
      response.status = 401;
      response.set_content("signature does not match\n", "text/plain");
      return;
    }
    std::string event = github ? request.get_header_value("X-GitHub-Event")
                               : request.get_header_value("X-Gitlab-Event");
    nlohmann::json body = nlohmann::json::parse(request.body, nullptr, false);
    bool is_push = event == "push" || event == "Push Hook";
    if (!is_push || body.is_discarded() || !body.is_object()) {
      response.status = 200;
      response.set_content("ignored: not a push event\n", "text/plain");
      return;
    }
    auto ref = body.find("ref");
    if (ref == body.end() || !ref->is_string() || ref->get<std::string>() != watched_ref) {
      response.status = 200;
      response.set_content("ignored: not a push to " + watched_ref + "\n", "text/plain");
      return;
    }
    spdlog::info("webhook: push to {} announced", watched_ref);
    on_push();
    response.status = 202;
    response.set_content("accepted\n", "text/plain");
  });
  int port = options.port == 0 ? server.bind_to_any_port(options.host)
                               : (server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    return Status::Unavailable("the webhook cannot listen on " + options.host + ":" +
                               std::to_string(options.port));
  }
  webhook->port_ = port;
  httplib::Server* serving = webhook->server_.get();
  webhook->thread_ = std::thread([serving] { serving->listen_after_bind(); });
  // stop() does nothing before the server runs: wait, so that destroying it at once cannot hang.
  while (!serving->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return webhook;
}

}  // namespace strata::reconcile

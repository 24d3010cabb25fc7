// libFuzzer target: what the webhook endpoint answers to a request (AnswerWebhook, the code the
// server runs). An input is headers, one "Name: value" a line, then an empty line and the body.
// The secret is fixed; a signature header of "sha256=SIGN" is replaced by the body's real
// signature so that the fuzzer gets past it to the payload. Nothing may crash or hang, and a
// request without a valid credential must be refused (401) whatever else it carries.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "reconciler/reconcile/webhook.h"

namespace {

constexpr std::string_view kSecret = "fuzz-secret";
constexpr std::string_view kWatchedRef = "refs/heads/main";

std::string Sign(std::string_view body) { return strata::reconcile::GithubSignature(kSecret, body); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  strata::reconcile::WebhookRequest request;
  size_t end = input.find("\n\n");
  request.body = end == std::string_view::npos ? std::string_view() : input.substr(end + 2);
  std::string_view headers = input.substr(0, end);
  bool signed_here = false;
  while (!headers.empty()) {
    size_t eol = headers.find('\n');
    std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 1);
    size_t colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string_view name = line.substr(0, colon);
    std::string value(line.substr(colon + 2));
    if (name == "X-Hub-Signature-256") {
      signed_here = value == "sha256=SIGN";
      request.github_signature = signed_here ? Sign(request.body) : value;
    } else if (name == "X-Gitlab-Token") {
      request.gitlab_token = value;
    } else if (name == "X-GitHub-Event") {
      request.github_event = value;
    } else if (name == "X-Gitlab-Event") {
      request.gitlab_event = value;
    }
  }
  strata::reconcile::WebhookReply reply =
      strata::reconcile::AnswerWebhook(kSecret, kWatchedRef, request);
  bool credential = signed_here || request.gitlab_token == kSecret;
  if ((reply.status == 401) == credential) {
    std::fprintf(stderr, "answered %d to a request %s a valid credential\n", reply.status,
                 credential ? "with" : "without");
    std::abort();
  }
  return 0;
}

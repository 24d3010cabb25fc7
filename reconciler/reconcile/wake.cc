#include "reconciler/reconcile/wake.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace strata::reconcile {
namespace {

// The abstract socket address of one slot: "\0strata-wake-<sha256 of the git dir>-<slot>".
sockaddr_un AddressOf(const std::string& git_dir, int slot, socklen_t* length) {
  std::error_code ec;
  std::string canonical = std::filesystem::weakly_canonical(git_dir, ec).string();
  if (ec) canonical = git_dir;
  while (canonical.size() > 1 && canonical.back() == '/') canonical.pop_back();
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_Digest(canonical.data(), canonical.size(), digest, &digest_length, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string name = "strata-wake-";
  for (unsigned i = 0; i < 16; ++i) {
    name += kHex[digest[i] >> 4];
    name += kHex[digest[i] & 15];
  }
  name += "-" + std::to_string(slot);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path + 1, name.data(), name.size());  // sun_path[0] = 0: abstract
  *length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
  return address;
}

}  // namespace

WakeListener::~WakeListener() { ::close(fd_); }

Result<std::unique_ptr<WakeListener>> WakeListener::Listen(const std::string& git_dir) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Internal(std::string("making the wake socket: ") + std::strerror(errno));
  for (int slot = 0; slot < kWakeSlots; ++slot) {
    socklen_t length = 0;
    sockaddr_un address = AddressOf(git_dir, slot, &length);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) == 0) {
      return std::unique_ptr<WakeListener>(new WakeListener(fd));
    }
    if (errno != EADDRINUSE) break;
  }
  int saved = errno;
  ::close(fd);
  if (saved == EADDRINUSE) {
    return Status::ResourceExhausted(std::to_string(kWakeSlots) +
                                     " reconcilers already listen on " + git_dir);
  }
  return Status::Internal(std::string("binding the wake socket: ") + std::strerror(saved));
}

bool WakeListener::Wait(std::chrono::milliseconds timeout, const std::atomic<bool>& stop) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stop.load()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    // Short slices, so that a stop request is seen within a quarter of a second.
    int ready = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 250)));
    if (ready > 0) {
      char buffer[64];
      while (::recv(fd_, buffer, sizeof buffer, 0) > 0) {
      }
      return true;
    }
  }
  return false;
}

int NotifyReconcilers(const std::string& git_dir) {
  int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  int reached = 0;
  for (int slot = 0; slot < kWakeSlots; ++slot) {
    socklen_t length = 0;
    sockaddr_un address = AddressOf(git_dir, slot, &length);
    if (::sendto(fd, "w", 1, MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&address), length) == 1) {
      ++reached;
    }
  }
  ::close(fd);
  return reached;
}

}  // namespace strata::reconcile

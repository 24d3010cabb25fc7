// SSH signatures for strata: Ed25519 keys in OpenSSH's formats, and signatures in the sshsig
// format that `ssh-keygen -Y sign` writes and `git commit -S` with gpg.format=ssh stores
// (OpenSSH's PROTOCOL.sshsig), on OpenSSL 3. Only ssh-ed25519 keys; no certificates.
//
// A SigningKey owns its private key (an OpenSSL EVP_PKEY, freed with it); it is movable, not
// copyable. PublicKey and TrustedKeys are plain values. All of them are thread-compatible: const
// methods may be called from several threads at once (OpenSSL allows an EVP_PKEY to be shared for
// signing, as TLS servers do), anything else needs outside locking.
// Errors: kInvalidArgument for malformed text (a key, a key file, an armored signature: the
// message says what is wrong), kNotFound for a file that cannot be read and kResourceExhausted
// for one over 1 MiB (the message names it), kPermissionDenied when Verify refuses a well-formed
// signature, kInternal when OpenSSL fails.
#pragma once

#include <openssl/types.h>

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/status.h"

namespace strata::ssh {

// An Ed25519 public key.
struct PublicKey {
  // The SSH wire blob: string "ssh-ed25519" + string <32-byte key>.
  std::string blob;
  // Free text after the key on its line ("dev@example.com"); may be empty.
  std::string comment;

  // "SHA256:<unpadded base64 of sha256(blob)>", as `ssh-keygen -lf` prints it.
  std::string Fingerprint() const;
  // "ssh-ed25519 AAAA... comment" (no comment, no trailing space), as in a .pub file.
  std::string Line() const;
};

// Reads one key line: a .pub / authorized_keys line "ssh-ed25519 BASE64 [comment]", or an
// allowed_signers line "principal[,principal] [options] ssh-ed25519 BASE64 [comment]" (the
// principals and options are skipped, not kept). kInvalidArgument when there is no key on the
// line, when it is of another type ("only ssh-ed25519 keys are supported, not ssh-rsa"), or when
// its base64 or blob is malformed.
Result<PublicKey> ParsePublicKeyLine(std::string_view line);

// An Ed25519 private key with its public key and comment.
class SigningKey {
 public:
  // A fresh random key.
  static Result<SigningKey> Generate(std::string comment);
  // The unencrypted OpenSSH private key format ("-----BEGIN OPENSSH PRIVATE KEY-----",
  // openssh-key-v1, cipher "none"), as `ssh-keygen -N ""` writes it. kInvalidArgument for an
  // encrypted key, for any other format, and for a key file that is inconsistent (checkints that
  // disagree, a public key that does not belong to the private one, bad padding).
  static Result<SigningKey> Parse(std::string_view openssh_private_key);
  // Parse on the contents of `path`; kNotFound when it cannot be read. Errors name the path.
  static Result<SigningKey> Load(const std::string& path);

  // The key in the OpenSSH private key format, byte for byte as ssh-keygen writes it (base64
  // wrapped at 70 columns, random equal checkints, padding 1,2,3...). The caller writes it with
  // mode 0600: ssh-keygen and ssh refuse a private key others can read.
  std::string PrivateKeyFile() const;

  const PublicKey& public_key() const { return public_key_; }

  // Writes PrivateKeyFile() to `path` (mode 0600, made so before a byte is written) and the public
  // key line to `path`.pub, making the parent directory. kInternal naming the file that failed.
  Status WriteKeyPair(const std::string& path) const;

  // An armored SSH signature of `message` in namespace `ns` ("git" for commits and tags), hashed
  // with SHA-512, as `ssh-keygen -Y sign -n <ns>` makes it (byte for byte: Ed25519 is
  // deterministic). kInvalidArgument for an empty namespace, kInternal when OpenSSL fails.
  Result<std::string> Sign(std::string_view message, std::string_view ns = "git") const;

 private:
  struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept;  // EVP_PKEY_free
  };
  using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

  SigningKey(PkeyPtr pkey, PublicKey public_key)
      : pkey_(std::move(pkey)), public_key_(std::move(public_key)) {}
  static Result<SigningKey> FromSeed(std::string_view seed, std::string comment);

  PkeyPtr pkey_;
  PublicKey public_key_;
};

// The public keys whose signatures strata accepts, one per distinct blob.
class TrustedKeys {
 public:
  // One key per line, in either format ParsePublicKeyLine reads; blank lines and lines starting
  // with '#' are skipped. kInvalidArgument naming "source:line" for a bad line, and for an
  // allowed_signers line with options (namespaces=, valid-before=, cert-authority...): they
  // restrict the key and strata would not enforce them.
  static Result<TrustedKeys> Parse(std::string_view text, const std::string& source);
  // Parse on the contents of `path` (errors name it); kNotFound when it cannot be read.
  static Result<TrustedKeys> Load(const std::string& path);

  // Adds `key`; a key already present (same blob) keeps its first comment.
  void Add(PublicKey key);
  // The key with this wire blob, or nullptr. Valid while this TrustedKeys lives.
  const PublicKey* Find(std::string_view blob) const;
  size_t size() const { return keys_.size(); }

 private:
  std::map<std::string, PublicKey, std::less<>> keys_;  // by blob
};

// Checks an armored SSH signature of `message` in namespace `ns` and returns the trusted key that
// made it (with the comment `trusted` gives it). Hash algorithms sha512 and sha256 are accepted.
// kInvalidArgument when the signature is malformed (the message says how); kPermissionDenied when
// it is for another namespace, when it does not match the signed data, or when it was made by a
// key not in `trusted` ("signed by SHA256:... which is not a trusted key"). The signature is
// checked before trust, so "signed by" names a key that really signed this message.
Result<PublicKey> Verify(std::string_view message, std::string_view armored_signature,
                         const TrustedKeys& trusted, std::string_view ns = "git");

}  // namespace strata::ssh

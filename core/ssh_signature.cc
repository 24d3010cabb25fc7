#include "core/ssh_signature.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <vector>

#include "core/handles.h"

namespace strata::ssh {

void SigningKey::PkeyFree::operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }

namespace {

using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
struct FileClose {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};
using FilePtr = std::unique_ptr<std::FILE, FileClose>;

constexpr std::string_view kKeyType = "ssh-ed25519";
constexpr size_t kPublicKeySize = 32;
constexpr size_t kKeyBlobPrefixSize = 4 + 11 + 4;  // string "ssh-ed25519", the key's length
constexpr size_t kSeedSize = 32;
constexpr size_t kSignatureSize = 64;
constexpr std::string_view kSigMagic = "SSHSIG";
constexpr uint32_t kSigVersion = 1;
constexpr std::string_view kSigLabel = "SSH SIGNATURE";
constexpr std::string_view kKeyLabel = "OPENSSH PRIVATE KEY";
// "openssh-key-v1" with its NUL terminator, as PROTOCOL.key spells the magic.
constexpr std::string_view kKeyMagic{"openssh-key-v1\0", 15};
constexpr size_t kKeyBlockSize = 8;   // cipher "none"
constexpr size_t kArmorColumns = 70;  // what OpenSSH's sshbuf_dtob64 wraps at
constexpr size_t kMaxFileSize = 1 << 20;

// OpenSSL's error queue is thread-local: turn it into a Status at once.
Status OpenSslError(std::string_view what) {
  std::string message(what);
  const char* separator = ": ";
  while (unsigned long e = ERR_get_error()) {
    std::array<char, 256> buf;
    ERR_error_string_n(e, buf.data(), buf.size());
    message += separator;
    message += buf.data();
    separator = "; ";
  }
  return Status::Internal(std::move(message));
}

// Base64 with padding. Our own so that decoding is strict: EVP_DecodeBlock keeps padding bytes in
// its output length and skips whitespace silently.
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8 |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Alphabet[(n >> shift) & 63];
  }
  if (size_t left = data.size() - i; left > 0) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (left == 2) n |= static_cast<uint8_t>(data[i + 1]) << 8;
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += left == 2 ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// nullopt unless `text` is whole groups of four base64 characters, '=' only as final padding.
std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    bool last = i + 4 == text.size();
    uint32_t n = 0;
    int padding = 0;
    for (size_t j = 0; j < 4; ++j) {
      char c = text[i + j];
      if (c == '=' && last && j >= 2) {
        ++padding;
        n <<= 6;
        continue;
      }
      size_t v = kBase64Alphabet.find(c);
      if (v == std::string_view::npos || padding > 0) return std::nullopt;
      n = n << 6 | static_cast<uint32_t>(v);
    }
    out += static_cast<char>(n >> 16);
    if (padding < 2) out += static_cast<char>(n >> 8);
    if (padding < 1) out += static_cast<char>(n);
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// "-----BEGIN <label>-----\n", the base64 of `data` in lines of 70, "-----END <label>-----\n".
std::string Armor(std::string_view data, std::string_view label) {
  std::string b64 = Base64Encode(data);
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (size_t i = 0; i < b64.size(); i += kArmorColumns) {
    out += std::string_view(b64).substr(i, kArmorColumns);
    out += '\n';
  }
  out += "-----END " + std::string(label) + "-----\n";
  return out;
}

// The bytes inside an armor made by Armor; whitespace around and inside the base64 is ignored.
// `what` ("the signature") starts every error message.
Result<std::string> Dearmor(std::string_view text, std::string_view label, std::string_view what) {
  std::string begin = "-----BEGIN " + std::string(label) + "-----";
  std::string end = "-----END " + std::string(label) + "-----";
  text = Trim(text);
  if (!text.starts_with(begin)) {
    std::string_view first_line = text.substr(0, text.find('\n'));
    if (first_line.starts_with("-----BEGIN ")) {
      return Status::InvalidArgument(std::string(what) + " is a " + std::string(Trim(first_line)) +
                                     ", not " + begin);
    }
    return Status::InvalidArgument(std::string(what) + " does not start with " + begin);
  }
  if (!text.ends_with(end)) {
    return Status::InvalidArgument(std::string(what) + " does not end with " + end);
  }
  std::string_view body = text.substr(begin.size(), text.size() - begin.size() - end.size());
  std::string b64;
  for (char c : body) {
    if (!IsSpace(c)) b64 += c;
  }
  std::optional<std::string> data = Base64Decode(b64);
  if (!data) return Status::InvalidArgument(std::string(what) + " has malformed base64");
  if (data->empty()) return Status::InvalidArgument(std::string(what) + " is empty");
  return std::move(*data);
}

// SSH wire encoding (RFC 4251): big-endian uint32, and string = uint32 length + bytes.
void PutU32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xff);
}
void PutString(std::string& out, std::string_view s) {
  PutU32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

// Reads the wire encoding; every read fails (and consumes nothing) past the end.
class WireReader {
 public:
  explicit WireReader(std::string_view data) : rest_(data) {}
  bool Bytes(size_t n, std::string_view* out) {
    if (rest_.size() < n) return false;
    *out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  bool U32(uint32_t* out) {
    std::string_view b;
    if (!Bytes(4, &b)) return false;
    *out = 0;
    for (char c : b) *out = *out << 8 | static_cast<uint8_t>(c);
    return true;
  }
  bool String(std::string_view* out) {
    std::string_view saved = rest_;
    uint32_t n;
    if (U32(&n) && Bytes(n, out)) return true;
    rest_ = saved;
    return false;
  }
  [[nodiscard]] bool empty() const { return rest_.empty(); }
  [[nodiscard]] std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

std::string KeyBlob(std::string_view raw_public_key) {
  std::string blob;
  PutString(blob, kKeyType);
  PutString(blob, raw_public_key);
  return blob;
}

// The 32-byte key inside a wire blob; `what` ("the key") starts the error messages.
Result<std::string_view> ParseKeyBlob(std::string_view blob, std::string_view what) {
  WireReader r(blob);
  std::string_view type, key;
  if (!r.String(&type)) return Status::InvalidArgument(std::string(what) + " is truncated");
  if (type != kKeyType) {
    return Status::InvalidArgument(
        std::string(what) + ": only ssh-ed25519 keys are supported, not " + std::string(type));
  }
  if (!r.String(&key)) return Status::InvalidArgument(std::string(what) + " is truncated");
  if (key.size() != kPublicKeySize || !r.empty()) {
    return Status::InvalidArgument(std::string(what) + " is not a 32-byte Ed25519 key");
  }
  return key;
}

Result<std::string> Digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  unsigned int size = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &size, md, nullptr) != 1) {
    return OpenSslError("EVP_Digest");
  }
  return std::string(reinterpret_cast<const char*>(out.data()), size);
}

// What an sshsig signature signs (PROTOCOL.sshsig): the magic without a length, then strings.
std::string SignedData(std::string_view ns, std::string_view reserved, std::string_view hash_name,
                       std::string_view hash) {
  std::string out(kSigMagic);
  PutString(out, ns);
  PutString(out, reserved);
  PutString(out, hash_name);
  PutString(out, hash);
  return out;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// True when `signature` is `public_key`'s Ed25519 signature of `data`.
Result<bool> Ed25519Verify(std::string_view public_key, std::string_view data,
                           std::string_view signature) {
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  if (!pkey) return OpenSslError("EVP_PKEY_new_raw_public_key");
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    return OpenSslError("EVP_DigestVerifyInit");
  }
  int rc =
      EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(data), data.size());
  // A bad signature (or a public key that is not a curve point) leaves errors queued: drop them.
  ERR_clear_error();
  return rc == 1;
}

Result<std::string> ReadFile(const std::string& path) {
  FilePtr file(std::fopen(path.c_str(), "rb"));
  if (!file) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::string data;
  std::array<char, 8192> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file.get())) > 0) {
    data.append(buf.data(), n);
    if (data.size() > kMaxFileSize) {
      return Status::ResourceExhausted(path + " is larger than " + std::to_string(kMaxFileSize) +
                                       " bytes");
    }
  }
  if (std::ferror(file.get())) {
    return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  }
  return data;
}

// A key line split into whitespace-separated tokens; a double-quoted part (an allowed_signers
// option such as namespaces="git,file") does not split.
struct Token {
  size_t begin;
  size_t end;
};
std::vector<Token> Tokenize(std::string_view line) {
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i == line.size()) break;
    size_t begin = i;
    bool quoted = false;
    for (; i < line.size() && (quoted || !IsSpace(line[i])); ++i) {
      if (line[i] == '"') quoted = !quoted;
    }
    tokens.push_back({begin, i});
  }
  return tokens;
}

// "ssh-rsa", "ecdsa-sha2-nistp256", "sk-ssh-ed25519@openssh.com", "ssh-ed25519-cert-v01@...".
bool LooksLikeKeyType(std::string_view s) {
  if (!s.starts_with("ssh-") && !s.starts_with("ecdsa-") && !s.starts_with("sk-")) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '@' || c == '.';
    if (!ok) return false;
  }
  return true;
}

struct KeyLine {
  PublicKey key;
  std::vector<std::string_view> before_key;  // allowed_signers principals, then options
};

// A key line of either format. The key type is found among the first three tokens, followed by a
// blob's base64 (which starts "AAAA": a blob starts with a type name's length, under 2^24).
Result<KeyLine> ParseKeyLine(std::string_view line) {
  line = Trim(line);
  std::vector<Token> tokens = Tokenize(line);
  auto text = [&](size_t i) {
    return line.substr(tokens[i].begin, tokens[i].end - tokens[i].begin);
  };
  size_t type_index = tokens.size();
  for (size_t i = 0; i < 3 && i + 1 < tokens.size(); ++i) {
    if (LooksLikeKeyType(text(i)) && text(i + 1).starts_with("AAAA")) {
      type_index = i;
      break;
    }
  }
  if (type_index == tokens.size()) {
    return Status::InvalidArgument(
        "no public key found: expected \"ssh-ed25519 BASE64 [comment]\" or an allowed_signers "
        "line \"principals [options] ssh-ed25519 BASE64\"");
  }
  std::string_view type = text(type_index);
  if (type != kKeyType) {
    return Status::InvalidArgument("only ssh-ed25519 keys are supported, not " + std::string(type));
  }
  std::optional<std::string> blob = Base64Decode(text(type_index + 1));
  if (!blob) return Status::InvalidArgument("the key's base64 is malformed");
  RETURN_IF_ERROR(ParseKeyBlob(*blob, "the key").status());
  KeyLine out;
  out.key.blob = std::move(*blob);
  out.key.comment = std::string(Trim(line.substr(tokens[type_index + 1].end)));
  for (size_t i = 0; i < type_index; ++i) out.before_key.push_back(text(i));
  return out;
}

}  // namespace

// --- PublicKey -----------------------------------------------------------------------------------

std::string PublicKey::Fingerprint() const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash;
  unsigned int size = 0;
  // SHA-256 of a few bytes in memory has no failure mode short of a broken OpenSSL install.
  if (EVP_Digest(blob.data(), blob.size(), hash.data(), &size, EVP_sha256(), nullptr) != 1) {
    ERR_clear_error();
    return "SHA256:?";
  }
  std::string b64 =
      Base64Encode(std::string_view(reinterpret_cast<const char*>(hash.data()), size));
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

std::string PublicKey::Line() const {
  std::string line = std::string(kKeyType) + " " + Base64Encode(blob);
  if (!comment.empty()) line += " " + comment;
  return line;
}

Result<PublicKey> ParsePublicKeyLine(std::string_view line) {
  ASSIGN_OR_RETURN(KeyLine parsed, ParseKeyLine(line));
  return std::move(parsed.key);
}

// --- SigningKey ----------------------------------------------------------------------------------

Result<SigningKey> SigningKey::FromSeed(std::string_view seed, std::string comment) {
  PkeyPtr pkey(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(seed), seed.size()));
  if (!pkey) return OpenSslError("EVP_PKEY_new_raw_private_key");
  std::array<unsigned char, kPublicKeySize> pub;
  size_t size = pub.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), pub.data(), &size) != 1 || size != pub.size()) {
    return OpenSslError("EVP_PKEY_get_raw_public_key");
  }
  PublicKey public_key{KeyBlob(std::string_view(reinterpret_cast<const char*>(pub.data()), size)),
                       std::move(comment)};
  return SigningKey(std::move(pkey), std::move(public_key));
}

Result<SigningKey> SigningKey::Generate(std::string comment) {
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  if (!ctx) return OpenSslError("EVP_PKEY_CTX_new_id");
  if (EVP_PKEY_keygen_init(ctx.get()) != 1) return OpenSslError("EVP_PKEY_keygen_init");
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_keygen(ctx.get(), &raw) != 1) return OpenSslError("EVP_PKEY_keygen");
  PkeyPtr pkey(raw);
  std::array<unsigned char, kSeedSize> seed;
  size_t size = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey.get(), seed.data(), &size) != 1 || size != seed.size()) {
    return OpenSslError("EVP_PKEY_get_raw_private_key");
  }
  // Rebuilt from the seed so that every SigningKey is made the same way as a parsed one.
  auto key = FromSeed(std::string_view(reinterpret_cast<const char*>(seed.data()), size),
                      std::move(comment));
  OPENSSL_cleanse(seed.data(), seed.size());
  return key;
}

Result<SigningKey> SigningKey::Parse(std::string_view openssh_private_key) {
  auto malformed = [](std::string_view why) {
    return Status::InvalidArgument("malformed OpenSSH private key: " + std::string(why));
  };
  ASSIGN_OR_RETURN(std::string data, Dearmor(openssh_private_key, kKeyLabel, "the private key"));
  WireReader r(data);
  std::string_view magic, cipher, kdf, kdf_options, header_blob, section;
  uint32_t key_count;
  if (!r.Bytes(kKeyMagic.size(), &magic) || magic != kKeyMagic) {
    return malformed("it does not start with openssh-key-v1");
  }
  if (!r.String(&cipher) || !r.String(&kdf) || !r.String(&kdf_options)) {
    return malformed("truncated header");
  }
  if (cipher != "none") {
    std::string hint = "cipher " + std::string(cipher) +
                       "; `ssh-keygen -p -N ''` removes the passphrase of a copy";
    return Status::InvalidArgument(
        "the private key is encrypted; strata needs an unencrypted key (" + hint + ")");
  }
  if (kdf != "none" || !kdf_options.empty()) return malformed("cipher none with a kdf");
  if (!r.U32(&key_count)) return malformed("truncated header");
  if (key_count != 1) {
    return malformed("it holds " + std::to_string(key_count) + " keys; strata reads files of one");
  }
  if (!r.String(&header_blob) || !r.String(&section)) return malformed("truncated");
  if (!r.empty()) return malformed("bytes after the private section");
  ASSIGN_OR_RETURN(std::string_view header_key, ParseKeyBlob(header_blob, "its public key"));
  if (section.size() % kKeyBlockSize != 0) {
    return malformed("the private section is not a whole number of 8-byte blocks");
  }

  WireReader p(section);
  uint32_t check1, check2;
  std::string_view type, pub, secret, comment;
  if (!p.U32(&check1) || !p.U32(&check2)) return malformed("truncated private section");
  if (check1 != check2) return malformed("its two checkints disagree (a corrupt key)");
  if (!p.String(&type)) return malformed("truncated private section");
  if (type != kKeyType) {
    return Status::InvalidArgument("only ssh-ed25519 keys are supported, not " + std::string(type));
  }
  if (!p.String(&pub) || !p.String(&secret) || !p.String(&comment)) {
    return malformed("truncated private section");
  }
  // OpenSSH keeps Ed25519's 64-byte secret: the 32-byte seed followed by the public key.
  if (pub.size() != kPublicKeySize || secret.size() != kSeedSize + kPublicKeySize) {
    return malformed("the Ed25519 key has the wrong length");
  }
  if (secret.substr(kSeedSize) != pub || pub != header_key) {
    return malformed("the public key in the private section does not match its public key");
  }
  std::string_view padding = p.rest();
  for (size_t i = 0; i < padding.size(); ++i) {
    if (static_cast<uint8_t>(padding[i]) != i + 1) return malformed("bad padding");
  }
  ASSIGN_OR_RETURN(SigningKey key, FromSeed(secret.substr(0, kSeedSize), std::string(comment)));
  if (key.public_key_.blob != header_blob) {
    return malformed("the public key does not belong to the private key");
  }
  return key;
}

Result<SigningKey> SigningKey::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto key = Parse(text);
  OPENSSL_cleanse(text.data(), text.size());
  if (!key.ok()) return key.status().WithContext(path);
  return key;
}

std::string SigningKey::PrivateKeyFile() const {
  std::array<unsigned char, kSeedSize> seed;
  size_t size = seed.size();
  if (EVP_PKEY_get_raw_private_key(pkey_.get(), seed.data(), &size) != 1 || size != seed.size()) {
    // Every SigningKey is made from a raw Ed25519 seed (FromSeed), which OpenSSL always returns.
    std::fputs("strata: EVP_PKEY_get_raw_private_key failed on an Ed25519 key\n", stderr);
    std::abort();
  }
  std::string_view pub = std::string_view(public_key_.blob).substr(kKeyBlobPrefixSize);
  // The checkints only detect a wrong passphrase; random as ssh-keygen makes them. Should RAND
  // fail, equal zeros are as valid for a key without a passphrase.
  uint32_t checkint = 0;
  if (RAND_bytes(reinterpret_cast<unsigned char*>(&checkint), sizeof checkint) != 1) {
    ERR_clear_error();
    checkint = 0;
  }
  std::string secret(reinterpret_cast<const char*>(seed.data()), seed.size());
  secret += pub;
  std::string section;
  PutU32(section, checkint);
  PutU32(section, checkint);
  PutString(section, kKeyType);
  PutString(section, pub);
  PutString(section, secret);
  PutString(section, public_key_.comment);
  for (char pad = 1; section.size() % kKeyBlockSize != 0; ++pad) section += pad;

  std::string data(kKeyMagic);
  PutString(data, "none");  // cipher
  PutString(data, "none");  // kdf
  PutString(data, "");      // kdf options
  PutU32(data, 1);          // number of keys
  PutString(data, public_key_.blob);
  PutString(data, section);
  std::string file = Armor(data, kKeyLabel);
  OPENSSL_cleanse(seed.data(), seed.size());
  OPENSSL_cleanse(secret.data(), secret.size());
  OPENSSL_cleanse(section.data(), section.size());
  OPENSSL_cleanse(data.data(), data.size());
  return file;
}

Result<std::string> SigningKey::Sign(std::string_view message, std::string_view ns) const {
  if (ns.empty()) return Status::InvalidArgument("the signature namespace must not be empty");
  constexpr std::string_view kHashName = "sha512";
  ASSIGN_OR_RETURN(std::string hash, Digest(EVP_sha512(), message));
  std::string data = SignedData(ns, "", kHashName, hash);

  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return OpenSslError("EVP_MD_CTX_new");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey_.get()) != 1) {
    return OpenSslError("EVP_DigestSignInit");
  }
  std::array<unsigned char, kSignatureSize> raw;
  size_t size = raw.size();
  if (EVP_DigestSign(ctx.get(), raw.data(), &size, Bytes(data), data.size()) != 1 ||
      size != raw.size()) {
    return OpenSslError("EVP_DigestSign");
  }
  std::string signature;
  PutString(signature, kKeyType);
  PutString(signature, std::string_view(reinterpret_cast<const char*>(raw.data()), size));

  std::string blob(kSigMagic);
  PutU32(blob, kSigVersion);
  PutString(blob, public_key_.blob);
  PutString(blob, ns);
  PutString(blob, "");  // reserved
  PutString(blob, kHashName);
  PutString(blob, signature);
  return Armor(blob, kSigLabel);
}

// --- TrustedKeys ---------------------------------------------------------------------------------

Result<TrustedKeys> TrustedKeys::Parse(std::string_view text, const std::string& source) {
  TrustedKeys keys;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    size_t newline = text.find('\n');
    std::string_view line = Trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#') continue;
    std::string where = source + ":" + std::to_string(line_number);
    auto parsed = ParseKeyLine(line);
    if (!parsed.ok()) return parsed.status().WithContext(where);
    if (parsed->before_key.size() == 2) {
      return Status::InvalidArgument(where + ": allowed_signers options (" +
                                     std::string(parsed->before_key[1]) +
                                     ") are not supported: strata would not enforce them");
    }
    keys.Add(std::move(parsed->key));
  }
  return keys;
}

Result<TrustedKeys> TrustedKeys::Load(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  return Parse(text, path);
}

void TrustedKeys::Add(PublicKey key) {
  if (keys_.contains(key.blob)) return;
  std::string blob = key.blob;
  keys_.emplace(std::move(blob), std::move(key));
}

const PublicKey* TrustedKeys::Find(std::string_view blob) const {
  auto it = keys_.find(blob);
  return it == keys_.end() ? nullptr : &it->second;
}

// --- Verify --------------------------------------------------------------------------------------

Result<PublicKey> Verify(std::string_view message, std::string_view armored_signature,
                         const TrustedKeys& trusted, std::string_view ns) {
  if (ns.empty()) return Status::InvalidArgument("the expected namespace must not be empty");
  auto malformed = [](std::string_view why) {
    return Status::InvalidArgument("malformed SSH signature: " + std::string(why));
  };
  ASSIGN_OR_RETURN(std::string blob, Dearmor(armored_signature, kSigLabel, "the signature"));
  WireReader r(blob);
  std::string_view magic, key_blob, sig_ns, reserved, hash_name, signature;
  uint32_t version;
  if (!r.Bytes(kSigMagic.size(), &magic) || magic != kSigMagic) {
    return malformed("it does not start with SSHSIG");
  }
  if (!r.U32(&version)) return malformed("truncated before the version");
  if (version != kSigVersion) {
    return malformed("version " + std::to_string(version) + "; strata reads version 1");
  }
  if (!r.String(&key_blob)) return malformed("truncated in the public key");
  if (!r.String(&sig_ns)) return malformed("truncated in the namespace");
  if (!r.String(&reserved)) return malformed("truncated in the reserved field");
  if (!r.String(&hash_name)) return malformed("truncated in the hash algorithm");
  if (!r.String(&signature)) return malformed("truncated in the signature");
  if (!r.empty()) return malformed("bytes after the signature");
  auto key = ParseKeyBlob(key_blob, "its public key");
  if (!key.ok()) return key.status().WithContext("malformed SSH signature");

  const EVP_MD* md = hash_name == "sha512"   ? EVP_sha512()
                     : hash_name == "sha256" ? EVP_sha256()
                                             : nullptr;
  if (md == nullptr) {
    return malformed("hash algorithm \"" + std::string(hash_name) +
                     "\"; strata accepts sha512 and sha256");
  }
  WireReader s(signature);
  std::string_view sig_type, raw;
  if (!s.String(&sig_type) || !s.String(&raw) || !s.empty()) {
    return malformed("the signature field is not an SSH signature");
  }
  if (sig_type != kKeyType || raw.size() != kSignatureSize) {
    return malformed("the signature field is not a 64-byte ssh-ed25519 signature");
  }
  if (sig_ns.empty()) return malformed("an empty namespace");

  if (sig_ns != ns) {
    return Status::PermissionDenied("the signature is for namespace \"" + std::string(sig_ns) +
                                    "\", not \"" + std::string(ns) + "\"");
  }
  ASSIGN_OR_RETURN(std::string hash, Digest(md, message));
  ASSIGN_OR_RETURN(bool good,
                   Ed25519Verify(*key, SignedData(sig_ns, reserved, hash_name, hash), raw));
  if (!good) return Status::PermissionDenied("the signature does not match the signed data");
  const PublicKey* found = trusted.Find(key_blob);
  if (found == nullptr) {
    PublicKey signer{std::string(key_blob), ""};
    return Status::PermissionDenied("signed by " + signer.Fingerprint() +
                                    " which is not a trusted key");
  }
  return *found;
}

Status SigningKey::WriteKeyPair(const std::string& path) const {
  std::error_code ec;
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty()) {
    std::filesystem::create_directories(parent, ec);
  }
  // A new file, made 0600 by open itself (not by the process-wide umask, which other threads
  // share) before a byte of the key is in it.
  std::filesystem::remove(path, ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot write the private key " + path + ": " + std::strerror(errno));
  std::string key = PrivateKeyFile();
  bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
  written = ::close(fd) == 0 && written;
  if (!written) return Status::Internal("cannot write the private key " + path);
  std::ofstream public_file(path + ".pub");
  public_file << public_key().Line() << "\n";
  public_file.close();
  if (!public_file) return Status::Internal("cannot write the public key " + path + ".pub");
  return Status::Ok();
}

}  // namespace strata::ssh

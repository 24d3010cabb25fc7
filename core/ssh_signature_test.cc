// SSH keys and signatures, checked against the real peer: OpenSSH's ssh-keygen reads our key files
// and verifies our signatures, and we read its keys and verify its signatures.
#include "core/ssh_signature.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "core/status_matchers.h"
#include "core/test_support.h"

namespace strata::ssh {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Base64 through OpenSSL's own codec, so the tests do not trust the code under test for it.
std::string B64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(n);
  return out;
}
std::string B64Decode(std::string_view text) {
  std::string out(3 * text.size() / 4 + 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  EXPECT_GE(n, 0) << text;
  out.resize(n < 0 ? 0 : n);
  // EVP_DecodeBlock counts the bytes the padding stands for.
  for (size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) out.pop_back();
  return out;
}

// The bytes inside "-----BEGIN <label>-----" ... "-----END <label>-----".
std::string Unarmor(const std::string& armored) {
  std::istringstream in(armored);
  std::string line, b64;
  while (std::getline(in, line)) {
    if (!line.starts_with("-----")) b64 += line;
  }
  return B64Decode(b64);
}
std::string Armor(std::string_view data, const std::string& label) {
  std::string b64 = B64Encode(data);
  std::string out = "-----BEGIN " + label + "-----\n";
  for (size_t i = 0; i < b64.size(); i += 70) out += b64.substr(i, 70) + "\n";
  return out + "-----END " + label + "-----\n";
}

// Like StatusIs(code, message), with a matcher for the message.
MATCHER_P2(StatusMatches, code, message_matcher,
           "has status code " + std::string(StatusCodeName(code)) + " and a message that " +
               ::testing::DescribeMatcher<std::string>(message_matcher)) {
  const Status& s = GetStatus(arg);
  *result_listener << s.ToString();
  return s.code() == code && ::testing::Matches(message_matcher)(s.message());
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class SshSignatureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/strata-sshsig-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
  }
  void TearDown() override { fs::remove_all(dir_); }

  [[nodiscard]] std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  std::string Write(const std::string& name, std::string_view content, mode_t mode = 0644) {
    std::string path = Path(name);
    std::ofstream(path, std::ios::binary) << content;
    EXPECT_EQ(chmod(path.c_str(), mode), 0);
    return path;
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  // ssh-keygen with these arguments, for its exit code and its output (stdout and stderr).
  static testing::Outcome Keygen(const std::string& args) {
    return testing::Sh("/usr/bin/ssh-keygen " + args);
  }
  // A key made by ssh-keygen with comment "c"; returns the private key's path (".pub" beside it).
  std::string KeygenKey(const std::string& name, const std::string& extra = "-N ''") {
    std::string path = Path(name);
    auto made = Keygen("-q -t ed25519 " + extra + " -C c -f " + Quote(path));
    EXPECT_EQ(made.code, 0) << made.out;
    return path;
  }
  // ssh-keygen -Y sign's signature of `message` with the key at `key_path`.
  std::string KeygenSign(const std::string& key_path, const std::string& message,
                         const std::string& ns, const std::string& extra = "") {
    std::string message_path = Write("to-sign", message);
    fs::remove(message_path + ".sig");
    auto signed_ = Keygen("-Y sign -f " + Quote(key_path) + " -n " + ns + " " + extra + " " +
                          Quote(message_path));
    EXPECT_EQ(signed_.code, 0) << signed_.out;
    return Read(message_path + ".sig");
  }

  std::string dir_;
};

TEST_F(SshSignatureTest, GeneratedKeyIsReadBySshKeygen) {
  auto key = SigningKey::Generate("strata@test");
  ASSERT_THAT(key, IsOk());
  std::string key_path = Write("id", key->PrivateKeyFile(), 0600);

  auto derived = Keygen("-y -f " + Quote(key_path));
  ASSERT_EQ(derived.code, 0) << derived.out;
  // ssh-keygen -y prints the public key with the comment it found in the private key file.
  EXPECT_EQ(derived.out, key->public_key().Line() + "\n");
  EXPECT_THAT(key->public_key().Line(), StartsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI"));

  std::string pub_path = Write("id.pub", key->public_key().Line() + "\n");
  auto listed = Keygen("-lf " + Quote(pub_path));
  ASSERT_EQ(listed.code, 0) << listed.out;
  EXPECT_EQ(listed.out, "256 " + key->public_key().Fingerprint() + " strata@test (ED25519)\n");
}

TEST_F(SshSignatureTest, SshKeygenKeyLoadsWithTheSamePublicKey) {
  std::string key_path = KeygenKey("id");
  auto key = SigningKey::Load(key_path);
  ASSERT_THAT(key, IsOk());
  std::string pub_line = Read(key_path + ".pub");
  EXPECT_EQ(key->public_key().Line() + "\n", pub_line);
  auto pub = ParsePublicKeyLine(pub_line);
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ(pub->blob, key->public_key().blob);
  EXPECT_EQ(pub->comment, "c");
  EXPECT_EQ(key->public_key().comment, "c");
}

TEST_F(SshSignatureTest, PrivateKeyFileIsLaidOutAsSshKeygenWritesIt) {
  std::string key_path = KeygenKey("id");
  std::string theirs = Read(key_path);
  auto key = SigningKey::Load(key_path);
  ASSERT_THAT(key, IsOk());
  std::string ours = key->PrivateKeyFile();

  // The files differ only in the random checkints: magic (15) + "none" (8) + "none" (8) + ""
  // (4) + key count (4) + public blob (4 + 51) + private section length (4) come before them.
  constexpr size_t kCheckints = 98;
  std::string our_bytes = Unarmor(ours), their_bytes = Unarmor(theirs);
  ASSERT_EQ(our_bytes.size(), their_bytes.size());
  EXPECT_EQ(our_bytes.substr(kCheckints, 4), our_bytes.substr(kCheckints + 4, 4));
  our_bytes.replace(kCheckints, 8, their_bytes.substr(kCheckints, 8));
  EXPECT_EQ(our_bytes, their_bytes);
  EXPECT_EQ(Armor(our_bytes, "OPENSSH PRIVATE KEY"), theirs);    // the armor: 70 columns
  EXPECT_EQ(ours, Armor(Unarmor(ours), "OPENSSH PRIVATE KEY"));  // ours is armored the same way

  // Two keys files of one key still differ: the checkints are random.
  EXPECT_NE(key->PrivateKeyFile(), key->PrivateKeyFile());
}

TEST_F(SshSignatureTest, PrivateKeyFileRoundTrips) {
  auto key = SigningKey::Generate("round trip");
  ASSERT_THAT(key, IsOk());
  auto again = SigningKey::Parse(key->PrivateKeyFile());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->public_key().blob, key->public_key().blob);
  EXPECT_EQ(again->public_key().comment, "round trip");
  EXPECT_EQ(*again->Sign("m"), *key->Sign("m"));
}

TEST_F(SshSignatureTest, OurSignatureVerifiesWithSshKeygen) {
  auto key = SigningKey::Generate("");
  ASSERT_THAT(key, IsOk());
  std::string message = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nsigned commit\n";
  auto signature = key->Sign(message);
  ASSERT_THAT(signature, IsOk());
  EXPECT_THAT(*signature, StartsWith("-----BEGIN SSH SIGNATURE-----\n"));
  std::string allowed = Write("allowed_signers", "signer " + key->public_key().Line() + "\n");
  std::string sig_path = Write("message.sig", *signature);
  std::string message_path = Write("message", message);

  auto verify = [&](const std::string& ns) {
    return Keygen("-Y verify -f " + Quote(allowed) + " -I signer -n " + ns + " -s " +
                  Quote(sig_path) + " < " + Quote(message_path));
  };
  auto good = verify("git");
  EXPECT_EQ(good.code, 0) << good.out;
  EXPECT_THAT(good.out, HasSubstr("Good \"git\" signature for signer with ED25519 key " +
                                  key->public_key().Fingerprint()));
  // The peer checks something: the same signature in another namespace fails with it too.
  EXPECT_NE(verify("file").code, 0);
}

TEST_F(SshSignatureTest, SignatureIsByteIdenticalToSshKeygens) {
  std::string key_path = KeygenKey("id");
  auto key = SigningKey::Load(key_path);
  ASSERT_THAT(key, IsOk());
  for (const std::string& message :
       std::vector<std::string>{"", "x", "a commit\n", std::string(1000, 'z')}) {
    // Ed25519 is deterministic, so the same key, message and namespace give the same bytes.
    EXPECT_EQ(*key->Sign(message), KeygenSign(key_path, message, "git")) << message;
    EXPECT_EQ(*key->Sign(message, "file"), KeygenSign(key_path, message, "file")) << message;
  }
}

TEST_F(SshSignatureTest, SshKeygenSignatureVerifiesWithOurs) {
  std::string key_path = KeygenKey("id");
  auto trusted = TrustedKeys::Load(key_path + ".pub");
  ASSERT_THAT(trusted, IsOk());
  std::string message = "object 0123\ntype commit\n";
  auto signer = Verify(message, KeygenSign(key_path, message, "git"), *trusted);
  ASSERT_THAT(signer, IsOk());
  EXPECT_EQ(signer->Line() + "\n", Read(key_path + ".pub"));

  // -O hashalg=sha256 hashes the message with SHA-256 instead of SHA-512.
  std::string sha256 = KeygenSign(key_path, message, "git", "-O hashalg=sha256");
  EXPECT_NE(Unarmor(sha256).find("sha256"), std::string::npos);
  EXPECT_THAT(Verify(message, sha256, *trusted), IsOk());
  EXPECT_THAT(
      Verify(message + "!", sha256, *trusted),
      StatusIs(StatusCode::kPermissionDenied, "the signature does not match the signed data"));
}

class VerifyRefusesTest : public SshSignatureTest {
 protected:
  void SetUp() override {
    SshSignatureTest::SetUp();
    auto key = SigningKey::Generate("dev@example.com");
    ASSERT_THAT(key, IsOk());
    key_.emplace(std::move(key).value());
    trusted_.Add(key_->public_key());
    auto signature = key_->Sign(message_);
    ASSERT_THAT(signature, IsOk());
    signature_ = *signature;
    ASSERT_THAT(Verify(message_, signature_, trusted_), IsOk());
  }

  std::optional<SigningKey> key_;
  TrustedKeys trusted_;
  std::string message_ = "the signed commit\n";
  std::string signature_;
};

TEST_F(VerifyRefusesTest, ATamperedMessage) {
  EXPECT_THAT(
      Verify("the signed commiT\n", signature_, trusted_),
      StatusIs(StatusCode::kPermissionDenied, "the signature does not match the signed data"));
  // A flipped bit in the signature bytes themselves (the last bytes of the blob).
  std::string blob = Unarmor(signature_);
  blob[blob.size() - 1] ^= 1;
  EXPECT_THAT(
      Verify(message_, Armor(blob, "SSH SIGNATURE"), trusted_),
      StatusIs(StatusCode::kPermissionDenied, "the signature does not match the signed data"));
}

TEST_F(VerifyRefusesTest, AKeyNotTrusted) {
  auto other = SigningKey::Generate("stranger");
  ASSERT_THAT(other, IsOk());
  auto signature = other->Sign(message_);
  ASSERT_THAT(signature, IsOk());
  EXPECT_THAT(
      Verify(message_, *signature, trusted_),
      StatusIs(StatusCode::kPermissionDenied,
               "signed by " + other->public_key().Fingerprint() + " which is not a trusted key"));
  EXPECT_THAT(Verify(message_, signature_, TrustedKeys()),
              StatusMatches(StatusCode::kPermissionDenied, HasSubstr("not a trusted key")));
}

TEST_F(VerifyRefusesTest, ADifferentNamespace) {
  EXPECT_THAT(Verify(message_, signature_, trusted_, "file"),
              StatusIs(StatusCode::kPermissionDenied,
                       "the signature is for namespace \"git\", not \"file\""));
  auto file_signature = key_->Sign(message_, "file");
  ASSERT_THAT(file_signature, IsOk());
  EXPECT_THAT(Verify(message_, *file_signature, trusted_),
              StatusMatches(StatusCode::kPermissionDenied, HasSubstr("namespace \"file\"")));
  EXPECT_THAT(key_->Sign(message_, ""), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(VerifyRefusesTest, GarbageArmor) {
  EXPECT_THAT(Verify(message_, "not a signature", trusted_),
              StatusIs(StatusCode::kInvalidArgument,
                       "the signature does not start with -----BEGIN SSH SIGNATURE-----"));
  EXPECT_THAT(
      Verify(message_, "-----BEGIN PGP SIGNATURE-----\nabc\n-----END PGP SIGNATURE-----\n",
             trusted_),
      StatusMatches(StatusCode::kInvalidArgument, HasSubstr("-----BEGIN PGP SIGNATURE-----")));
  EXPECT_THAT(Verify(message_, signature_.substr(0, signature_.size() - 10), trusted_),
              StatusIs(StatusCode::kInvalidArgument,
                       "the signature does not end with -----END SSH SIGNATURE-----"));
  EXPECT_THAT(
      Verify(message_, "-----BEGIN SSH SIGNATURE-----\nU1NI*0lH\n-----END SSH SIGNATURE-----\n",
             trusted_),
      StatusIs(StatusCode::kInvalidArgument, "the signature has malformed base64"));
  EXPECT_THAT(Verify(message_, Armor("SSHSIH-not-a-signature", "SSH SIGNATURE"), trusted_),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("does not start with SSHSIG")));
  std::string version2 = Unarmor(signature_);
  version2[9] = 2;
  EXPECT_THAT(Verify(message_, Armor(version2, "SSH SIGNATURE"), trusted_),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("version 2")));
}

TEST_F(VerifyRefusesTest, ATruncatedBlob) {
  std::string blob = Unarmor(signature_);
  EXPECT_THAT(Verify(message_, Armor(blob.substr(0, blob.size() - 10), "SSH SIGNATURE"), trusted_),
              StatusIs(StatusCode::kInvalidArgument,
                       "malformed SSH signature: truncated in the signature"));
  // Every shorter blob, and the blob with a byte added, is malformed, never accepted or crashed.
  for (size_t n = 1; n < blob.size(); ++n) {
    EXPECT_THAT(Verify(message_, Armor(blob.substr(0, n), "SSH SIGNATURE"), trusted_),
                StatusIs(StatusCode::kInvalidArgument))
        << n;
  }
  EXPECT_THAT(
      Verify(message_, Armor(blob + "x", "SSH SIGNATURE"), trusted_),
      StatusIs(StatusCode::kInvalidArgument, "malformed SSH signature: bytes after the signature"));
}

TEST_F(SshSignatureTest, ParsePublicKeyLineReadsBothFormats) {
  auto key = SigningKey::Generate("me@host");
  ASSERT_THAT(key, IsOk());
  std::string b64 = key->public_key().Line().substr(12, 68);
  ASSERT_EQ("ssh-ed25519 " + b64 + " me@host", key->public_key().Line());

  for (const std::string& line : {"ssh-ed25519 " + b64, "  ssh-ed25519\t" + b64 + "  \r\n",
                                  "alice@example.com ssh-ed25519 " + b64,
                                  "a@x,b@y namespaces=\"git,file\" ssh-ed25519 " + b64,
                                  "a@x valid-after=\"2024 01\" ssh-ed25519 " + b64}) {
    auto parsed = ParsePublicKeyLine(line);
    ASSERT_THAT(parsed, IsOk()) << line;
    EXPECT_EQ(parsed->blob, key->public_key().blob) << line;
    EXPECT_EQ(parsed->comment, "") << line;
  }
  auto commented = ParsePublicKeyLine("ssh-ed25519 " + b64 + " two words ");
  ASSERT_THAT(commented, IsOk());
  EXPECT_EQ(commented->comment, "two words");
}

TEST_F(SshSignatureTest, ParsePublicKeyLineRefusesOtherKeys) {
  std::string rsa = Path("rsa");
  auto made = Keygen("-q -t rsa -b 2048 -N '' -C c -f " + Quote(rsa));
  ASSERT_EQ(made.code, 0) << made.out;
  EXPECT_THAT(
      ParsePublicKeyLine(Read(rsa + ".pub")),
      StatusIs(StatusCode::kInvalidArgument, "only ssh-ed25519 keys are supported, not ssh-rsa"));
  EXPECT_THAT(
      ParsePublicKeyLine("signer " + Read(rsa + ".pub")),
      StatusIs(StatusCode::kInvalidArgument, "only ssh-ed25519 keys are supported, not ssh-rsa"));
  // A line that says ssh-ed25519 over an RSA blob.
  std::string rsa_b64 = Read(rsa + ".pub").substr(8);
  rsa_b64 = rsa_b64.substr(0, rsa_b64.find(' '));
  EXPECT_THAT(ParsePublicKeyLine("ssh-ed25519 " + rsa_b64),
              StatusIs(StatusCode::kInvalidArgument,
                       "the key: only ssh-ed25519 keys are supported, not ssh-rsa"));
  EXPECT_THAT(ParsePublicKeyLine("ssh-ed25519 AAAA!!!!"),
              StatusIs(StatusCode::kInvalidArgument, "the key's base64 is malformed"));
  EXPECT_THAT(ParsePublicKeyLine(""),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("no public key found")));
  EXPECT_THAT(ParsePublicKeyLine("ssh-ed25519"),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("no public key found")));
}

TEST_F(SshSignatureTest, ParseRefusesAnEncryptedKey) {
  std::string key_path = KeygenKey("id", "-N secret-passphrase");
  auto key = SigningKey::Load(key_path);
  EXPECT_THAT(key, StatusMatches(StatusCode::kInvalidArgument,
                                 HasSubstr("is encrypted; strata needs an unencrypted key")));
  EXPECT_THAT(key.status().message(), StartsWith(key_path + ": "));
}

TEST_F(SshSignatureTest, ParseRefusesAnInconsistentKey) {
  auto key = SigningKey::Generate("c");
  auto other = SigningKey::Generate("c");
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(other, IsOk());
  std::string bytes = Unarmor(key->PrivateKeyFile());
  constexpr size_t kCheckints = 98;
  constexpr size_t kHeaderKey = 15 + 8 + 8 + 4 + 4 + 4 + 19;  // the 32 bytes of the public blob

  std::string bad_checkint = bytes;
  bad_checkint[kCheckints] ^= 1;
  EXPECT_THAT(SigningKey::Parse(Armor(bad_checkint, "OPENSSH PRIVATE KEY")),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("checkints disagree")));

  std::string other_public = bytes;
  other_public.replace(kHeaderKey, 32, other->public_key().blob.substr(19));
  EXPECT_THAT(SigningKey::Parse(Armor(other_public, "OPENSSH PRIVATE KEY")),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("does not match")));

  std::string bad_padding = bytes;
  bad_padding.back() ^= 0x40;
  EXPECT_THAT(SigningKey::Parse(Armor(bad_padding, "OPENSSH PRIVATE KEY")),
              StatusMatches(StatusCode::kInvalidArgument, HasSubstr("padding")));

  EXPECT_THAT(
      SigningKey::Parse("-----BEGIN RSA PRIVATE KEY-----\nMII=\n-----END RSA PRIVATE KEY-----\n"),
      StatusMatches(StatusCode::kInvalidArgument, HasSubstr("-----BEGIN RSA PRIVATE KEY-----")));
  for (size_t n = 1; n < bytes.size(); ++n) {
    EXPECT_THAT(SigningKey::Parse(Armor(bytes.substr(0, n), "OPENSSH PRIVATE KEY")),
                StatusIs(StatusCode::kInvalidArgument))
        << n;
  }
}

TEST_F(SshSignatureTest, LoadOfAMissingFileIsNotFound) {
  std::string missing = Path("absent");
  EXPECT_THAT(SigningKey::Load(missing),
              StatusMatches(StatusCode::kNotFound, HasSubstr("cannot read " + missing)));
  EXPECT_THAT(TrustedKeys::Load(missing),
              StatusMatches(StatusCode::kNotFound, HasSubstr("cannot read " + missing)));
}

TEST_F(SshSignatureTest, TrustedKeysParseNamesSourceAndLine) {
  auto a = SigningKey::Generate("a");
  auto b = SigningKey::Generate("b");
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  std::string good = "# strata signers\n\n" + a->public_key().Line() + "\nbob@example.com " +
                     b->public_key().Line() + "\n" + a->public_key().Line() + " again\n";
  auto trusted = TrustedKeys::Parse(good, "signers");
  ASSERT_THAT(trusted, IsOk());
  EXPECT_EQ(trusted->size(), 2u);
  ASSERT_NE(trusted->Find(b->public_key().blob), nullptr);
  EXPECT_EQ(trusted->Find(b->public_key().blob)->comment, "b");
  EXPECT_EQ(trusted->Find(a->public_key().blob)->comment, "a");  // the first line wins
  EXPECT_EQ(trusted->Find("no such blob"), nullptr);

  EXPECT_THAT(TrustedKeys::Parse(good + "\n  # ok\nssh-rsa AAAAB3NzaC1yc2E\n", "keys.txt"),
              StatusIs(StatusCode::kInvalidArgument,
                       "keys.txt:8: only ssh-ed25519 keys are supported, not ssh-rsa"));
  EXPECT_THAT(
      TrustedKeys::Parse("\r\nnot a key\r\n", "keys.txt"),
      StatusMatches(StatusCode::kInvalidArgument, StartsWith("keys.txt:2: no public key found")));
  EXPECT_THAT(TrustedKeys::Parse("x@y namespaces=\"file\" " + a->public_key().Line(), "signers"),
              StatusIs(StatusCode::kInvalidArgument,
                       "signers:1: allowed_signers options (namespaces=\"file\") are not "
                       "supported: strata would not enforce them"));

  std::string path = Write("allowed_signers", "\n\nx ssh-ed25519 AAAA\n");
  EXPECT_THAT(TrustedKeys::Load(path),
              StatusMatches(StatusCode::kInvalidArgument, StartsWith(path + ":3: ")));
}

}  // namespace
}  // namespace strata::ssh

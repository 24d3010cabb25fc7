// RAII owners for the C handles strata uses, made at the line the handle is born:
//   RepoPtr repo(raw);  // freed with git_repository_free when it goes out of scope
// Every alias is a std::unique_ptr, so ownership moves like any unique_ptr.
#pragma once

#include <git2.h>
#include <librdkafka/rdkafka.h>

#include <memory>

namespace strata {

template <auto Fn>
struct Deleter {
  template <class P>
  void operator()(P* p) const noexcept {
    Fn(p);
  }
};

// libgit2
using RepoPtr = std::unique_ptr<git_repository, Deleter<git_repository_free>>;
using ObjectPtr = std::unique_ptr<git_object, Deleter<git_object_free>>;
using TreePtr = std::unique_ptr<git_tree, Deleter<git_tree_free>>;
using BlobPtr = std::unique_ptr<git_blob, Deleter<git_blob_free>>;
using CommitPtr = std::unique_ptr<git_commit, Deleter<git_commit_free>>;
using ReferencePtr = std::unique_ptr<git_reference, Deleter<git_reference_free>>;
using SignaturePtr = std::unique_ptr<git_signature, Deleter<git_signature_free>>;
using TreeBuilderPtr = std::unique_ptr<git_treebuilder, Deleter<git_treebuilder_free>>;
using OdbPtr = std::unique_ptr<git_odb, Deleter<git_odb_free>>;
using IndexPtr = std::unique_ptr<git_index, Deleter<git_index_free>>;
using RevwalkPtr = std::unique_ptr<git_revwalk, Deleter<git_revwalk_free>>;

// librdkafka. A conf is owned by us only until rd_kafka_new succeeds; then release() it.
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, Deleter<rd_kafka_conf_destroy>>;
using KafkaPtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_destroy>>;
using KafkaTopicPartitionListPtr =
    std::unique_ptr<rd_kafka_topic_partition_list_t, Deleter<rd_kafka_topic_partition_list_destroy>>;
using KafkaMessagePtr = std::unique_ptr<rd_kafka_message_t, Deleter<rd_kafka_message_destroy>>;

}  // namespace strata

// The S3 backend's entry in the store conformance suite (tests/store/backends.cc): every
// instance is a fresh path_prefix in one bucket of the test binary's s3rver (or moto).
#pragma once

#include <memory>

#include "store/backends.h"

namespace tandem::store::s3::testing {

std::unique_ptr<store::test::BackendInstance> make_s3rver_backend();
// The same on moto: a store committing by conditional writes.
std::unique_ptr<store::test::BackendInstance> make_moto_backend();

}  // namespace tandem::store::s3::testing

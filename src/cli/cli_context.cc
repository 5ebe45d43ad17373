#include "cli/cli_context.h"

#include <cstdlib>

#include "store/store.h"

namespace tandem::cli {

std::string CliContext::store_uri() const {
  if (!store_flag.empty()) return store_flag;
  if (const char* env = std::getenv("TANDEM_STORE"); env != nullptr && *env != '\0') return env;
  return "lmdb://./tandem-data";
}

std::unique_ptr<store::Store> CliContext::open_store() const {
  return store::Store::open(store_uri());
}

std::unique_ptr<store::Store> CliContext::open_store_for_reading() const {
  store::StoreOptions options;
  options.must_exist = true;
  return store::Store::open(store_uri(), options);
}

}  // namespace tandem::cli

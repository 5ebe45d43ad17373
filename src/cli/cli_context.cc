#include "cli/cli_context.h"

#include "core/log.h"
#include "store/store.h"

namespace tandem::cli {

void CliContext::start() {
  settings = Settings::load(config_flag);
  settings.apply("log.level", log_level_option, log_level);
  settings.apply("log.file", log_file_option, log_file);
  log::LogSettings logs;
  logs.level = log::parse_level(log_level);
  logs.file = log_file == "-" ? "" : log_file;
  int max_mb = 10;
  int max_files = 3;
  settings.apply("log.max_size_mb", nullptr, max_mb);
  settings.apply("log.max_files", nullptr, max_files);
  if (max_mb < 1 || max_files < 1) {
    throw Error(ErrorKind::InvalidArgument, "log.max_size_mb and log.max_files must be 1 or more",
                settings.file());
  }
  logs.max_file_bytes = static_cast<std::size_t>(max_mb) << 20;
  logs.max_files = static_cast<std::size_t>(max_files);
  log::configure(logs);
}

std::string CliContext::store_uri() const {
  return with_s3_options(settings.resolve("store.uri", store_option).value, settings);
}

std::unique_ptr<store::Store> CliContext::open_store() const {
  return store::Store::open(store_uri());
}

std::unique_ptr<store::Store> CliContext::open_store_for_reading() const {
  store::StoreOptions options;
  options.must_exist = true;
  return store::Store::open(store_uri(), options);
}

int exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidArgument:
      return kExitUsage;
    case ErrorKind::NotFound:
      return 5;
    case ErrorKind::Conflict:
      return 6;
    case ErrorKind::Corruption:
      return 7;
    case ErrorKind::Unavailable:
      return 8;
    case ErrorKind::Internal:
      return 1;
  }
  return 1;
}

}  // namespace tandem::cli

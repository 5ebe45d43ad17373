#include "store/s3/aws_profile.h"

#include <algorithm>
#include <cctype>
#include <fstream>

#include "core/error.h"

namespace tandem::store::s3 {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The profile a section header names, given the file's conventions.
std::optional<std::string> section_profile(std::string_view header, AwsFileKind kind) {
  header = trim(header);
  if (kind == AwsFileKind::kCredentials) return std::string(header);
  if (header == "default") return std::string("default");
  if (header.starts_with("profile") && header.size() > 7 &&
      std::isspace(static_cast<unsigned char>(header[7]))) {
    return std::string(trim(header.substr(7)));
  }
  return std::nullopt;  // [sso-session x], [services x]: not profiles
}

}  // namespace

std::optional<std::map<std::string, std::string>> read_aws_profile(const std::string& path,
                                                                   AwsFileKind kind,
                                                                   std::string_view name) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<std::map<std::string, std::string>> found;
  bool in_profile = false;
  std::string line;
  int line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';') continue;
    if (text.front() == '[') {
      if (text.back() != ']') {
        throw Error("unterminated section header", path + ":" + std::to_string(line_number));
      }
      std::optional<std::string> profile = section_profile(text.substr(1, text.size() - 2), kind);
      in_profile = profile && *profile == name;
      if (in_profile && !found) found.emplace();
      continue;
    }
    std::size_t equals = text.find('=');
    if (equals == std::string_view::npos) {
      // Indented continuation lines belong to nested settings (e.g. "s3 =\n  addressing_style");
      // they carry nothing this reader uses.
      if (std::isspace(static_cast<unsigned char>(line.front()))) continue;
      throw Error("expected \"key = value\"", path + ":" + std::to_string(line_number));
    }
    if (!in_profile) continue;
    (*found)[lower(trim(text.substr(0, equals)))] = std::string(trim(text.substr(equals + 1)));
  }
  return found;
}

}  // namespace tandem::store::s3

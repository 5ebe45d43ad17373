// The shared AWS configuration files: ~/.aws/credentials ("[NAME]" sections) and ~/.aws/config
// ("[default]" and "[profile NAME]" sections), both INI files of "key = value" lines.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::store::s3 {

enum class AwsFileKind { kCredentials, kConfig };

// The settings of profile `name` in the file at `path`: nullopt if the file or the profile does
// not exist. Keys are lower-cased; values trimmed. Throws tandem::Error naming file and line for
// a line that is neither a section, a setting, a comment nor blank.
std::optional<std::map<std::string, std::string>> read_aws_profile(const std::string& path,
                                                                   AwsFileKind kind,
                                                                   std::string_view name);

}  // namespace tandem::store::s3

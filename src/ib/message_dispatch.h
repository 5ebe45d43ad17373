// Internal to src/ib: turns a message variant (Request or Response, whose last alternative is
// the Unknown* catch-all) plus a Walker (the per-message layouts) into decode and encode.
// Decoding dispatches on the message id through a table built at compile time.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "ib/field_io.h"
#include "ib/fields.h"
#include "ib/protocol_error.h"

namespace tandem::ib {

void require_supported_version(int server_version);

namespace dispatch {

inline constexpr int kMaxMessageId = 256;

template <class Variant, class Walker>
struct MessageTable {
  static constexpr std::size_t kModeled = std::variant_size_v<Variant> - 1;
  using Unknown = std::variant_alternative_t<kModeled, Variant>;
  using DecodeFn = Variant (*)(FieldIn&);

  // Builds the message in place in the returned variant (no default-constructed variant to
  // clear and overwrite: that alone cost a third of decoding a short message).
  template <std::size_t I>
  static Variant decode_one(FieldIn& io) {
    using Message = std::variant_alternative_t<I, Variant>;
    io.reader().set_message(static_cast<int>(Message::kId), Message::kName);
    Variant out(std::in_place_index<I>);
    Walker::apply(io, *std::get_if<I>(&out));
    return out;
  }

  static Variant decode_unknown(FieldReader& reader, int id) {
    reader.set_message(id, "unknown");
    Unknown unknown;
    unknown.id = id;
    unknown.fields = std::string(reader.take_rest());
    if (!unknown.fields.empty() && unknown.fields.back() != '\0') {
      reader.fail("last field is not NUL-terminated (truncated frame)", "");
    }
    return Variant(std::move(unknown));
  }

  template <std::size_t... I>
  static constexpr std::array<DecodeFn, kMaxMessageId> build(std::index_sequence<I...>) {
    std::array<DecodeFn, kMaxMessageId> table{};
    ((table[static_cast<int>(std::variant_alternative_t<I, Variant>::kId)] = &decode_one<I>), ...);
    return table;
  }

  static constexpr std::array<DecodeFn, kMaxMessageId> kDecoders =
      build(std::make_index_sequence<kModeled>{});
};

template <class Variant, class Walker>
Variant decode(std::string_view payload, int server_version) {
  using Table = MessageTable<Variant, Walker>;
  require_supported_version(server_version);
  FieldReader reader(payload);
  int id = reader.read_int("messageId");
  FieldIn io(reader, server_version);
  const bool modeled = id >= 0 && id < kMaxMessageId && Table::kDecoders[id] != nullptr;
  Variant out = modeled ? Table::kDecoders[id](io) : Table::decode_unknown(reader, id);
  reader.expect_end();
  return out;
}

template <class Variant, class Walker>
void encode(const Variant& message, int server_version, UnsetStyle style, std::string& out) {
  using Table = MessageTable<Variant, Walker>;
  require_supported_version(server_version);
  const std::size_t original_size = out.size();
  try {
    std::visit(
        [&](const auto& m) {
          using Message = std::decay_t<decltype(m)>;
          if constexpr (std::is_same_v<Message, typename Table::Unknown>) {
            FieldWriter writer(out, style, m.id, "unknown");
            writer.add_int(m.id);
            if (!m.fields.empty() && m.fields.back() != '\0') {
              writer.fail("fields must be NUL-terminated", "fields");
            }
            out.append(m.fields);
            writer.finish();
          } else {
            FieldWriter writer(out, style, static_cast<int>(Message::kId), Message::kName);
            writer.add_int(static_cast<int>(Message::kId));
            FieldOut io(writer, server_version);
            // Writers only read the message; the layouts are shared with the decoder, which
            // is why they take a non-const reference.
            Walker::apply(io, const_cast<Message&>(m));
            writer.finish();
          }
        },
        message);
  } catch (...) {
    out.resize(original_size);  // never leave half a frame behind
    throw;
  }
}

template <class Variant>
std::string_view name_of(const Variant& message) {
  return std::visit(
      [](const auto& m) -> std::string_view {
        using Message = std::decay_t<decltype(m)>;
        if constexpr (requires { Message::kName; }) {
          return Message::kName;
        } else {
          return "unknown";
        }
      },
      message);
}

template <class Variant>
int id_of(const Variant& message) {
  return std::visit(
      [](const auto& m) -> int {
        using Message = std::decay_t<decltype(m)>;
        if constexpr (requires { Message::kId; }) {
          return static_cast<int>(Message::kId);
        } else {
          return m.id;
        }
      },
      message);
}

}  // namespace dispatch
}  // namespace tandem::ib

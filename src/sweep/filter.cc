// The --where expression: a small recursive-descent parser into a tree evaluated per
// combination. Grammar (lowest precedence first):
//   or := and ('||' and)*     and := not ('&&' not)*     not := '!' not | cmp
//   cmp := sum (('<'|'<='|'>'|'>='|'=='|'!=') sum)?     sum := prod (('+'|'-') prod)*
//   prod := unary (('*'|'/') unary)*     unary := '-' unary | NUMBER | NAME | '(' or ')'
// Truth is a non-zero value; comparisons and logic give 1 or 0.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>

#include "core/error.h"
#include "sweep/sweep.h"

namespace tandem::sweep {

struct Filter::Node {
  enum class Kind { kNumber, kName, kNot, kNeg, kBinary } kind = Kind::kNumber;
  double number = 0;
  std::string name;
  std::string op;  // kBinary
  std::shared_ptr<const Node> left, right;

  double eval(const std::map<std::string, double>& values) const {
    switch (kind) {
      case Kind::kNumber:
        return number;
      case Kind::kName: {
        auto it = values.find(name);
        if (it == values.end()) {
          throw Error(ErrorKind::InvalidArgument,
                      "'" + name + "' has no numeric value in this combination", "where");
        }
        return it->second;
      }
      case Kind::kNot:
        return left->eval(values) == 0 ? 1 : 0;
      case Kind::kNeg:
        return -left->eval(values);
      case Kind::kBinary:
        break;
    }
    const double a = left->eval(values);
    if (op == "&&") return a != 0 && right->eval(values) != 0 ? 1 : 0;
    if (op == "||") return a != 0 || right->eval(values) != 0 ? 1 : 0;
    const double b = right->eval(values);
    if (op == "+") return a + b;
    if (op == "-") return a - b;
    if (op == "*") return a * b;
    if (op == "/") return a / b;
    if (op == "<") return a < b;
    if (op == "<=") return a <= b;
    if (op == ">") return a > b;
    if (op == ">=") return a >= b;
    if (op == "==") return a == b;
    return a != b;  // "!="
  }

  void names(std::vector<std::string>& out) const {
    if (kind == Kind::kName) out.push_back(name);
    if (left) left->names(out);
    if (right) right->names(out);
  }
};

namespace {

using NodePtr = std::shared_ptr<const Filter::Node>;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  NodePtr parse() {
    NodePtr root = parse_or();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text");
    return root;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(ErrorKind::InvalidArgument,
                fmt::format("'{}': {} at position {}", text_, what, pos_ + 1), "where");
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool take(std::string_view op) {
    skip_space();
    if (text_.substr(pos_, op.size()) != op) return false;
    // "<" must not take the first half of "<=" (callers try the longer operators first).
    pos_ += op.size();
    return true;
  }
  static NodePtr binary(std::string op, NodePtr left, NodePtr right) {
    auto node = std::make_shared<Filter::Node>();
    node->kind = Filter::Node::Kind::kBinary;
    node->op = std::move(op);
    node->left = std::move(left);
    node->right = std::move(right);
    return node;
  }
  NodePtr parse_or() {
    NodePtr left = parse_and();
    while (take("||")) left = binary("||", left, parse_and());
    return left;
  }
  NodePtr parse_and() {
    NodePtr left = parse_not();
    while (take("&&")) left = binary("&&", left, parse_not());
    return left;
  }
  NodePtr parse_not() {
    skip_space();
    if (text_.substr(pos_, 2) != "!=" && take("!")) {
      auto node = std::make_shared<Filter::Node>();
      node->kind = Filter::Node::Kind::kNot;
      node->left = parse_not();
      return node;
    }
    return parse_comparison();
  }
  NodePtr parse_comparison() {
    NodePtr left = parse_sum();
    for (std::string_view op : {"<=", ">=", "==", "!=", "<", ">"}) {
      if (take(op)) return binary(std::string(op), left, parse_sum());
    }
    return left;
  }
  NodePtr parse_sum() {
    NodePtr left = parse_product();
    while (true) {
      if (take("+")) {
        left = binary("+", left, parse_product());
      } else if (take("-")) {
        left = binary("-", left, parse_product());
      } else {
        return left;
      }
    }
  }
  NodePtr parse_product() {
    NodePtr left = parse_unary();
    while (true) {
      if (take("*")) {
        left = binary("*", left, parse_unary());
      } else if (take("/")) {
        left = binary("/", left, parse_unary());
      } else {
        return left;
      }
    }
  }
  NodePtr parse_unary() {
    skip_space();
    if (pos_ >= text_.size()) fail("expected a number, a name or '('");
    auto node = std::make_shared<Filter::Node>();
    if (take("-")) {
      node->kind = Filter::Node::Kind::kNeg;
      node->left = parse_unary();
      return node;
    }
    if (take("(")) {
      NodePtr inner = parse_or();
      if (!take(")")) fail("expected ')'");
      return inner;
    }
    const char c = text_[pos_];
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      double value = 0;
      auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), value);
      if (ec != std::errc()) fail("a malformed number");
      pos_ = static_cast<std::size_t>(end - text_.data());
      node->kind = Filter::Node::Kind::kNumber;
      node->number = value;
      return node;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      std::size_t begin = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
        ++pos_;
      }
      node->kind = Filter::Node::Kind::kName;
      node->name = std::string(text_.substr(begin, pos_ - begin));
      return node;
    }
    fail("expected a number, a name or '('");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

Filter Filter::parse(std::string_view text) {
  Filter filter;
  filter.text_ = std::string(text);
  bool blank = true;
  for (char c : text) blank = blank && std::isspace(static_cast<unsigned char>(c));
  if (!blank) filter.root_ = Parser(text).parse();
  return filter;
}

bool Filter::accepts(const std::map<std::string, double>& values) const {
  return !root_ || root_->eval(values) != 0;
}

void Filter::check_names(const std::vector<std::string>& names) const {
  if (!root_) return;
  std::vector<std::string> used;
  root_->names(used);
  for (const std::string& name : used) {
    if (std::find(names.begin(), names.end(), name) == names.end()) {
      throw Error(
          ErrorKind::InvalidArgument,
          fmt::format("'{}' names '{}', which is not a parameter of setting grid", text_, name),
          "where");
    }
  }
}

}  // namespace tandem::sweep

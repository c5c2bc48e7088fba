// The console's search on both backends (users.search, groups.search; migration 0022): each
// order (user name, display name, e-mail; ascending and descending), a prefix of the sorted
// column, and keyset pages that continue the order, also across ties and users without an
// e-mail, and keys that follow an update.
#include <string>
#include <vector>

#include "backend_fixture.hpp"

// The requests below name only the fields a test sets (designated initializers).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace atrium::store::test {

namespace {

using directory_search_test = store_test;

std::vector<std::string> searched_names(const page<domain::user>& p) {
  std::vector<std::string> out;
  for (const auto& u : p.items) out.push_back(u.user_name);
  return out;
}

// Every page of a search, followed by the keyset the service would put in its NextToken.
template <class Key>
std::vector<std::string> all_pages(database& db, search_request q, Key&& key) {
  std::vector<std::string> out;
  for (int guard = 0; guard < 100; ++guard) {
    auto p = read_value(db, [&](transaction& tx) { return tx.users().search(q); });
    EXPECT_TRUE(p) << p.error().message;
    if (!p) break;
    for (const auto& u : p->items) out.push_back(u.user_name);
    if (!p->more) break;
    q.after = std::make_pair(key(p->items.back()), p->items.back().id);
  }
  return out;
}

}  // namespace

TEST_P(directory_search_test, users_sort_by_each_column_and_match_a_prefix_of_it) {
  // Display names and e-mails in another order than the user names; two share a display name;
  // one has no e-mail (sorted as "").
  ASSERT_TRUE(insert(make_user("u1", "carol", "a@x.example")));
  auto b = make_user("u2", "Bob", "c@x.example");
  b.display_name = "Same Name";
  ASSERT_TRUE(insert(b));
  auto a = make_user("u3", "alice", "b@x.example");
  a.display_name = "same name";
  ASSERT_TRUE(insert(a));
  auto d = make_user("u4", "dave");
  d.display_name = "Zed";
  ASSERT_TRUE(insert(d));

  auto search = [&](search_request q) {
    auto p = read_value(*db_, [&](transaction& tx) { return tx.users().search(q); });
    EXPECT_TRUE(p) << p.error().message;
    return p ? searched_names(*p) : std::vector<std::string>{};
  };
  EXPECT_EQ(search({}), (std::vector<std::string>{"alice", "Bob", "carol", "dave"}));
  EXPECT_EQ(search({.descending = true}), (std::vector<std::string>{"dave", "carol", "Bob", "alice"}));
  // Ties on the display name go by id: u2 (Bob) before u3 (alice).
  EXPECT_EQ(search({.sort = user_sort::display_name}), (std::vector<std::string>{"carol", "Bob", "alice", "dave"}));
  EXPECT_EQ(search({.sort = user_sort::email}), (std::vector<std::string>{"dave", "carol", "alice", "Bob"}));
  EXPECT_EQ(search({.prefix_key = "same", .sort = user_sort::display_name}), (std::vector<std::string>{"Bob", "alice"}));
  EXPECT_EQ(search({.prefix_key = "b", .sort = user_sort::email}), (std::vector<std::string>{"alice"}));
  EXPECT_EQ(search({.prefix_key = "b"}), (std::vector<std::string>{"Bob"}));
  EXPECT_EQ(search({.prefix_key = "zz"}), (std::vector<std::string>{}));

  // Pages of one continue the order on every column, either way, with and without a prefix.
  auto display = [](const domain::user& u) { return u.display_name_key(); };
  auto email = [](const domain::user& u) { return u.primary_email_key().value_or(""); };
  auto name = [](const domain::user& u) { return u.user_name_key(); };
  EXPECT_EQ(all_pages(*db_, {.sort = user_sort::display_name, .limit = 1}, display),
            (std::vector<std::string>{"carol", "Bob", "alice", "dave"}));
  EXPECT_EQ(all_pages(*db_, {.sort = user_sort::display_name, .descending = true, .limit = 1}, display),
            (std::vector<std::string>{"dave", "alice", "Bob", "carol"}));
  EXPECT_EQ(all_pages(*db_, {.sort = user_sort::email, .limit = 1}, email),
            (std::vector<std::string>{"dave", "carol", "alice", "Bob"}));
  EXPECT_EQ(all_pages(*db_, {.prefix_key = "same", .sort = user_sort::display_name, .limit = 1}, display),
            (std::vector<std::string>{"Bob", "alice"}));
  EXPECT_EQ(all_pages(*db_, {.prefix_key = "same", .sort = user_sort::display_name, .descending = true, .limit = 1}, display),
            (std::vector<std::string>{"alice", "Bob"}));
  EXPECT_EQ(all_pages(*db_, {.descending = true, .limit = 3}, name), (std::vector<std::string>{"dave", "carol", "Bob", "alice"}));

  // An update moves the user in the display-name and e-mail orders.
  auto cur = get_user("u4");
  ASSERT_TRUE(cur);
  domain::user next = *cur;
  next.display_name = "Aaron";
  next.emails = {domain::email{"zz@x.example", std::nullopt, true}};
  next.version = cur->version + 1;
  ASSERT_TRUE(write_value(*db_, [&](transaction& tx) { return tx.users().update(next, cur->version); }));
  EXPECT_EQ(search({.sort = user_sort::display_name, .limit = 1}), (std::vector<std::string>{"dave"}));
  EXPECT_EQ(search({.sort = user_sort::email, .descending = true, .limit = 1}), (std::vector<std::string>{"dave"}));
}

TEST_P(directory_search_test, groups_sort_by_display_name_and_match_a_prefix) {
  for (auto [id, n] : {std::pair{"g1", "Ops"}, std::pair{"g2", "admins"}, std::pair{"g3", "Operators"}})
    ASSERT_TRUE(insert(make_group(id, n)));
  auto search = [&](search_request q) {
    std::vector<std::string> out;
    for (int guard = 0; guard < 10; ++guard) {
      auto p = read_value(*db_, [&](transaction& tx) { return tx.groups().search(q); });
      EXPECT_TRUE(p) << p.error().message;
      if (!p) break;
      for (const auto& g : p->items) out.push_back(g.display_name);
      if (!p->more) break;
      q.after = std::make_pair(p->items.back().display_name_key(), p->items.back().id);
    }
    return out;
  };
  EXPECT_EQ(search({.limit = 1}), (std::vector<std::string>{"admins", "Operators", "Ops"}));
  EXPECT_EQ(search({.descending = true, .limit = 2}), (std::vector<std::string>{"Ops", "Operators", "admins"}));
  EXPECT_EQ(search({.prefix_key = "op", .limit = 1}), (std::vector<std::string>{"Operators", "Ops"}));
  EXPECT_EQ(search({.prefix_key = "op", .descending = true, .limit = 1}), (std::vector<std::string>{"Ops", "Operators"}));
}

ATRIUM_ON_BOTH_BACKENDS(directory_search_test);

}  // namespace atrium::store::test

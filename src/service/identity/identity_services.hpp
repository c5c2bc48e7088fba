#pragma once
// The identity store's three services over one shared context, as the application wires them
// (and tests make them): doors take the ones they use (the SCIM door users and groups, the
// identitystore API all three).
#include <string>
#include <utility>

#include "service/identity/directory_search.hpp"
#include "service/identity/group_nesting.hpp"
#include "service/identity/group_service.hpp"
#include "service/identity/identity_context.hpp"
#include "service/identity/membership_service.hpp"
#include "service/identity/user_service.hpp"

namespace atrium::service {

struct identity_services {
  identity_services(audited_store& store, const clock& clk, random_source& rnd, std::string identity_store_id,
                    quotas q)
      : shared(store, clk, rnd, std::move(identity_store_id), q),
        users(shared),
        groups(shared),
        memberships(shared),
        search(shared),
        nesting(shared) {}
  identity_services(const identity_services&) = delete;
  identity_services& operator=(const identity_services&) = delete;

  const std::string& identity_store_id() const { return shared.identity_store_id(); }

  identity_context shared;
  user_service users;
  group_service groups;
  membership_service memberships;
  directory_search search;  // the console's prefix search and sort (AtriumAdmin.SearchUsers/SearchGroups)
  group_nesting nesting;    // groups in groups (AtriumAdmin.AddMemberToGroup, ...)
};

}  // namespace atrium::service

//! Managed (customer and AWS) and service prefix lists, with their entries.

use super::*;

/// `describe-managed-prefix-lists`: metadata only (the entries come from
/// [`prefix_list_entries`]).
pub fn managed_prefix_list(x: &t::ManagedPrefixList) -> Value {
    Obj::new()
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .s("AddressFamily", x.address_family.as_deref())
        .e("State", x.state.as_ref())
        .s("StateMessage", x.state_message.as_deref())
        .s("PrefixListArn", x.prefix_list_arn.as_deref())
        .s("PrefixListName", x.prefix_list_name.as_deref())
        .i("MaxEntries", x.max_entries)
        .i("Version", x.version)
        .l("Tags", x.tags.as_ref(), tag)
        .s("OwnerId", x.owner_id.as_deref())
        .done()
}

/// A customer-managed list's entries in the self-contained `Cidrs` shape
/// (`get-managed-prefix-list-entries` itself does not print the list id).
pub fn prefix_list_entries(list: &t::ManagedPrefixList, entries: &[t::PrefixListEntry]) -> Value {
    let cidrs: Vec<String> = entries.iter().filter_map(|e| e.cidr.clone()).collect();
    Obj::new()
        .s("PrefixListId", list.prefix_list_id.as_deref())
        .s("PrefixListName", list.prefix_list_name.as_deref())
        .strings("Cidrs", Some(&cidrs))
        .done()
}

/// `describe-prefix-lists` (AWS-managed service lists, with their CIDRs).
pub fn prefix_list(x: &t::PrefixList) -> Value {
    Obj::new()
        .strings("Cidrs", x.cidrs.as_ref())
        .s("PrefixListId", x.prefix_list_id.as_deref())
        .s("PrefixListName", x.prefix_list_name.as_deref())
        .done()
}

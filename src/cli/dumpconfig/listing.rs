//! What `dumpconfig` asks Identity Center (every account, then the roles of a few at a
//! time, with progress on stderr) and what it tells of a merge.

use super::CONCURRENT_LISTS;
use crate::cli::{CliError, Context};
use crate::config::edit::Report;
use crate::config::generate::Assignment;
use crate::services::{ServiceError, sso};

/// Every account's roles, `CONCURRENT_LISTS` accounts at a time, progress on stderr.
pub(super) async fn assignments(
    caller: &crate::http::call::Caller<'_>,
    token: &crate::provider::execute::SsoToken,
    ctx: &Context<'_>,
    sign_in_again: &dyn Fn(ServiceError) -> CliError,
) -> Result<Vec<Assignment>, CliError> {
    use futures_util::stream::{StreamExt as _, TryStreamExt as _};
    let accounts = sso::list_accounts(caller, &token.portal, &token.access_token)
        .await
        .map_err(sign_in_again)?;
    let total = accounts.len();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let show = |n: usize| match ctx.progress {
        Some(progress) => progress(&format!(
            "listing the roles of {total} accounts… {n}/{total}"
        )),
        None if n == 0 => (ctx.stderr)(&format!("Listing the roles of {total} accounts…")),
        None => {}
    };
    show(0);
    let lists = futures_util::stream::iter(accounts.iter().map(|account| {
        let done = &done;
        async move {
            let roles = sso::list_account_roles(
                caller,
                &token.portal,
                &token.access_token,
                &account.account_id,
            )
            .await
            .map_err(sign_in_again)?;
            show(done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1);
            Ok::<_, CliError>((account, roles))
        }
    }))
    .buffered(CONCURRENT_LISTS)
    .try_collect::<Vec<_>>()
    .await;
    if let Some(progress) = ctx.progress {
        progress("");
    }
    let mut out = Vec::new();
    for (account, roles) in lists? {
        for role_name in roles {
            out.push(Assignment {
                account_id: account.account_id.clone(),
                account_name: account
                    .account_name
                    .clone()
                    .unwrap_or_else(|| account.account_id.clone()),
                email_address: account.email_address.clone().unwrap_or_default(),
                role_name,
            });
        }
    }
    Ok(out)
}

/// What the merge did, on stderr.
pub(super) fn tell(report: &Report, prune: bool, ctx: &Context<'_>) {
    let list = |names: &[String]| names.join(", ");
    let line = format!(
        "{} added, {} updated, {} unchanged{}",
        report.added.len(),
        report.updated.len(),
        report.unchanged.len(),
        if prune {
            format!(", {} removed", report.pruned.len())
        } else {
            String::new()
        }
    );
    (ctx.stderr)(&line);
    for (what, names) in [
        ("added", &report.added),
        ("updated", &report.updated),
        ("removed (no longer assigned)", &report.pruned),
    ] {
        if !names.is_empty() {
            (ctx.stderr)(&format!("  {what}: {}", list(names)));
        }
    }
    if !report.stale.is_empty() {
        (ctx.stderr)(&format!(
            "  no longer assigned, kept (--prune removes them): {}",
            list(&report.stale)
        ));
    }
    if !report.hand_written.is_empty() {
        (ctx.stderr)(&format!(
            "  left as they are, written by hand (a generated section of that name was not written): {}",
            list(&report.hand_written)
        ));
    }
}

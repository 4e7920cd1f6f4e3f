//! Compliance tenants as the rest of the store sees them (signals and evidence arrive with
//! the compliance capability).

use super::WriteTx;
use crate::ids::{CompanyId, ComplianceTenantId, ConnectionId};
use crate::Result;

/// A compliance tenant that a connection feeds, with how many signals it has collected.
pub struct FedTenant {
    pub company: CompanyId,
    pub tenant: ComplianceTenantId,
    pub signals_collected: u64,
}

/// The compliance tenants whose companies have organizations of `connection` mapped.
pub async fn tenants_fed_by(tx: &mut WriteTx, connection: ConnectionId) -> Result<Vec<FedTenant>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.compliance_tenant_id, \
                (SELECT count(*) FROM signals s WHERE s.compliance_tenant_id = c.compliance_tenant_id) \
         FROM companies c WHERE c.compliance_tenant_id IS NOT NULL AND c.id IN \
         (SELECT company_id FROM mappings WHERE connection_id = ?1 AND state = 'mapped') \
         ORDER BY c.id",
    )
    .bind(connection.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(company, tenant, signals)| FedTenant {
            company: CompanyId(company),
            tenant: ComplianceTenantId::from_stored(tenant),
            signals_collected: signals.max(0) as u64,
        })
        .collect())
}

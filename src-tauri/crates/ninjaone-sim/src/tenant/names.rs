//! Names of generated organizations and locations. They are deliberately awkward: case and
//! whitespace variants of one name, accents, CJK, quotes, ampersands and angle brackets,
//! because matching organizations to customers by name is where real syncs go wrong.

/// Cycled in order; once used up, each round appends a number (" 2", " 3", …).
const ORG_NAMES: &[&str] = &[
    "Acme Ltd",
    "ACME Ltd",
    " Bäckerei Müller GmbH ",
    "Zoë's Café",
    "北京科技",
    "Smith & Sons",
    "O'Brien & Partners LLP",
    "Société Générale d'Électricité",
    "acme ltd.",
    "Ünal Lojistik A.Ş.",
    "Åkesson Bygg AB",
    "Nguyễn Dental Clinic",
    "Fabrikam <Test> & Co",
    "Łódź Logistics Sp. z o.o.",
    "Contoso (EMEA)",
    "Ørsted Vind ApS",
    "Δέλτα Consulting",
    "東京システム株式会社",
    "Café \"Le Petit\"",
    "Müller & Müller",
];

pub(super) fn org_name(index: usize) -> String {
    let base = ORG_NAMES[index % ORG_NAMES.len()];
    match index / ORG_NAMES.len() {
        0 => base.to_string(),
        round => format!("{base} {}", round + 1),
    }
}

pub(super) const ORG_DESCRIPTIONS: &[&str] = &[
    "Managed since 2019",
    "Key account, 24/7 support",
    "Pilot customer",
    "Steuerberatung, 3 Standorte",
    "",
];

pub(super) const LOCATION_NAMES: &[&str] = &[
    "HQ",
    "Branch Office",
    "Warehouse",
    "Remote Workers",
    "Datacenter",
    "Zweigstelle Köln",
    "Home Office",
    "Lab",
];

pub(super) const STREETS: &[&str] = &[
    "1 Main Street, Springfield",
    "Hauptstraße 12, 80331 München",
    "221B Baker Street, London",
    "Storgatan 5, 111 51 Stockholm",
    "10 Rue de Rivoli, 75001 Paris",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_get_a_suffix_once_the_list_runs_out() {
        assert_eq!(org_name(0), "Acme Ltd");
        assert_eq!(org_name(ORG_NAMES.len()), "Acme Ltd 2");
        assert_eq!(org_name(2 * ORG_NAMES.len() + 1), "ACME Ltd 3");
    }
}

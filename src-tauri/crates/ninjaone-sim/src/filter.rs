//! The `df` device filter (ninjaone-api.md §2.3), as working clients use it: terms joined
//! with ` AND `; `org`, `loc`, `id`, `role`, `class` and `status` compared with `=`/`eq`,
//! `!=`/`neq`, `in (a,b)` or `notin (a,b)`; and bare `online` / `offline`. Anything else is
//! rejected, so a client that builds a wrong filter finds out in tests instead of silently
//! syncing the whole tenant.

use crate::profile::role_id;
use crate::tenant::DeviceRecord;

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DeviceFilter {
    terms: Vec<Term>,
}

#[derive(Clone, Debug, PartialEq)]
enum Term {
    Online(bool),
    Field {
        field: Field,
        negated: bool,
        values: Vec<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Field {
    Org,
    Loc,
    Id,
    Role,
    Class,
    Status,
}

impl Field {
    fn parse(word: &str) -> Option<Field> {
        match word.to_ascii_lowercase().as_str() {
            "org" | "organization" => Some(Field::Org),
            "loc" | "location" => Some(Field::Loc),
            "id" => Some(Field::Id),
            "role" => Some(Field::Role),
            "class" => Some(Field::Class),
            "status" => Some(Field::Status),
            _ => None,
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Field::Org | Field::Loc | Field::Id | Field::Role)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Open,
    Close,
    Comma,
    Eq,
    Neq,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '=' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Eq,
                });
            }
            '!' => {
                chars.next();
                if chars.next() != Some('=') {
                    return Err("'!' must be followed by '='".into());
                }
                tokens.push(Token::Neq);
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "(),=!".contains(c) {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                tokens.push(Token::Word(word));
            }
        }
    }
    Ok(tokens)
}

fn is_word(token: &Token, expected: &str) -> bool {
    matches!(token, Token::Word(word) if word.eq_ignore_ascii_case(expected))
}

impl DeviceFilter {
    /// `None` for an absent or blank filter.
    pub fn parse(text: &str) -> Result<Option<DeviceFilter>, String> {
        let tokens = tokenize(text)?;
        if tokens.is_empty() {
            return Ok(None);
        }
        let terms = tokens
            .split(|token| is_word(token, "and"))
            .map(parse_term)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(DeviceFilter { terms }))
    }

    pub fn matches(&self, device: &DeviceRecord) -> bool {
        self.terms.iter().all(|term| match term {
            Term::Online(online) => device.offline != *online,
            Term::Field {
                field,
                negated,
                values,
            } => {
                let value = match field {
                    Field::Org => device.org_id.to_string(),
                    Field::Loc => device
                        .location_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    Field::Id => device.id.to_string(),
                    Field::Role => role_id(&device.class).to_string(),
                    Field::Class => device.class.as_str().to_string(),
                    Field::Status => device.approval.as_str().to_string(),
                };
                values.iter().any(|v| v.eq_ignore_ascii_case(&value)) != *negated
            }
        })
    }
}

fn parse_term(tokens: &[Token]) -> Result<Term, String> {
    let (first, rest) = tokens
        .split_first()
        .ok_or("an empty term (check the AND separators)")?;
    let Token::Word(word) = first else {
        return Err(format!(
            "a term starts with {first:?} instead of a field name"
        ));
    };
    if rest.is_empty() {
        return match word.to_ascii_lowercase().as_str() {
            "online" => Ok(Term::Online(true)),
            "offline" => Ok(Term::Online(false)),
            _ => Err(format!(
                "{word:?} is neither online, offline nor a comparison"
            )),
        };
    }
    let field = Field::parse(word).ok_or_else(|| format!("unknown filter field {word:?}"))?;
    let (operator, operands) = rest.split_first().ok_or("missing operator")?;
    let (negated, list) = match operator {
        Token::Eq => (false, false),
        Token::Neq => (true, false),
        token if is_word(token, "eq") => (false, false),
        token if is_word(token, "neq") => (true, false),
        token if is_word(token, "in") => (false, true),
        token if is_word(token, "notin") => (true, true),
        other => return Err(format!("unknown operator {other:?}")),
    };
    let values = if list {
        parse_list(operands)?
    } else {
        match operands {
            [Token::Word(value)] => vec![value.clone()],
            _ => return Err(format!("{word} expects one value")),
        }
    };
    if field.numeric() {
        if let Some(bad) = values.iter().find(|v| v.parse::<i64>().is_err()) {
            return Err(format!("{word} expects numeric ids, not {bad:?}"));
        }
    }
    Ok(Term::Field {
        field,
        negated,
        values,
    })
}

fn parse_list(tokens: &[Token]) -> Result<Vec<String>, String> {
    let inner = match tokens {
        [Token::Open, inner @ .., Token::Close] => inner,
        _ => return Err("a list must be written (a,b,…)".into()),
    };
    let mut values = Vec::new();
    for (index, token) in inner.iter().enumerate() {
        match (index % 2, token) {
            (0, Token::Word(value)) => values.push(value.clone()),
            (1, Token::Comma) => {}
            _ => return Err(format!("unexpected {token:?} in a list")),
        }
    }
    if values.is_empty() || inner.len() % 2 == 0 {
        return Err("a list needs values separated by commas".into());
    }
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::Backup;
    use ninjaone::models::{ApprovalStatus, NodeClass};

    fn device(
        id: i64,
        org_id: i64,
        class: NodeClass,
        approval: ApprovalStatus,
        offline: bool,
    ) -> DeviceRecord {
        DeviceRecord {
            id,
            org_id,
            location_id: Some(org_id * 10),
            class,
            approval,
            offline,
            system_name: None,
            parent_id: None,
            backup: Backup::None,
            posture: crate::tenant::OrgPosture::Typical,
        }
    }

    fn parse(text: &str) -> DeviceFilter {
        DeviceFilter::parse(text).unwrap().unwrap()
    }

    #[test]
    fn the_clients_filters_match() {
        let mac = device(3, 12, NodeClass::Mac, ApprovalStatus::Approved, false);
        let pending = device(
            4,
            13,
            NodeClass::WindowsServer,
            ApprovalStatus::Pending,
            true,
        );
        let df =
            parse("org in (12,13) AND class in (WINDOWS_WORKSTATION,MAC) AND status eq APPROVED");
        assert!(df.matches(&mac));
        assert!(!df.matches(&pending));
        assert!(parse("org = 13").matches(&pending));
        assert!(parse("org=13 and offline").matches(&pending));
        assert!(!parse("org != 13").matches(&pending));
        assert!(parse("id notin (1,2)").matches(&mac));
        assert!(parse("loc eq 120").matches(&mac));
        assert!(parse("online").matches(&mac));
        assert!(parse("status neq PENDING").matches(&mac));
        assert!(parse("class in (mac)").matches(&mac));
        assert!(parse(&format!("role = {}", role_id(&NodeClass::Mac))).matches(&mac));
    }

    #[test]
    fn blank_filters_are_absent() {
        assert_eq!(DeviceFilter::parse("  ").unwrap(), None);
    }

    #[test]
    fn malformed_filters_are_rejected() {
        for text in [
            "org in 12",
            "org in (12,",
            "org in (a,b)",
            "org ~ 3",
            "colour = red",
            "org = 1 AND",
            "AND org = 1",
            "org in (1,,2)",
            "status eq",
            "org ! 3",
            "sideways",
        ] {
            assert!(DeviceFilter::parse(text).is_err(), "{text} was accepted");
        }
    }
}

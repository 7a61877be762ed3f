//! Terraform version constraints (`~> 4.0`, `>= 3.90, < 5.0`): the range of provider
//! versions a configuration allows, as far as the rules need it.

/// A version as three numbers; missing parts are zero (`4` is `4.0.0`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

impl Version {
    pub fn parse(text: &str) -> Option<(Version, usize)> {
        let text = text.trim().trim_start_matches('v');
        // Pre-release and build suffixes do not move the bounds the rules care about.
        let core = text.split(['-', '+']).next()?;
        let parts: Vec<u64> = core.split('.').map(|p| p.parse().ok()).collect::<Option<_>>()?;
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        let get = |i: usize| parts.get(i).copied().unwrap_or(0);
        Some((Version(get(0), get(1), get(2)), parts.len()))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// The versions a constraint allows: at least `min`, below `below`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Range {
    pub min: Option<Version>,
    pub below: Option<Version>,
}

impl Range {
    /// `None` for a constraint the parser does not understand: rules then stay silent.
    pub fn parse(constraint: &str) -> Option<Range> {
        let mut range = Range::default();
        for part in constraint.split(',') {
            let part = part.trim();
            let (op, rest) = ["~>", ">=", "<=", "!=", ">", "<", "="]
                .iter()
                .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest)))
                .unwrap_or(("=", part));
            let (version, segments) = Version::parse(rest)?;
            match op {
                "=" => {
                    range.raise(version);
                    range.lower(next_patch(version));
                }
                ">=" => range.raise(version),
                ">" => range.raise(next_patch(version)),
                "<" => range.lower(version),
                "<=" => range.lower(next_patch(version)),
                "!=" => {}
                "~>" => {
                    range.raise(version);
                    range.lower(match segments {
                        3 => Version(version.0, version.1 + 1, 0),
                        _ => Version(version.0 + 1, 0, 0),
                    });
                }
                _ => return None,
            }
        }
        Some(range)
    }

    fn raise(&mut self, v: Version) {
        self.min = Some(self.min.map_or(v, |m| m.max(v)));
    }

    fn lower(&mut self, v: Version) {
        self.below = Some(self.below.map_or(v, |b| b.min(v)));
    }

    /// Every allowed version is at least `v`.
    pub fn at_least(&self, v: Version) -> bool {
        self.min.is_some_and(|m| m >= v)
    }

    /// Every allowed version is below `v`.
    pub fn entirely_below(&self, v: Version) -> bool {
        self.below.is_some_and(|b| b <= v)
    }
}

/// The `hashicorp/azurerm` version constraint the configuration's root requires, as written
/// and as a range (`None` in the range when the constraint is not understood).
pub fn azurerm(config: &crate::facts::Configuration) -> Option<(&str, Option<Range>)> {
    let azurerm = config
        .providers
        .iter()
        .find(|p| p.name == "azurerm" && p.source.as_deref().is_none_or(|s| s.ends_with("hashicorp/azurerm")))?;
    let constraint = azurerm.version.known()?;
    Some((constraint.as_str(), Range::parse(constraint)))
}

fn next_patch(v: Version) -> Version {
    Version(v.0, v.1, v.2 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_give_ranges() {
        let four = Version(4, 0, 0);
        assert!(Range::parse("~> 4.0").unwrap().at_least(four));
        assert!(Range::parse(">= 4.1.0, < 5.0").unwrap().at_least(four));
        assert!(Range::parse("4.12.0").unwrap().at_least(four));
        assert!(!Range::parse(">= 3.90").unwrap().at_least(four));
        assert!(Range::parse("~> 3.100").unwrap().entirely_below(four));
        assert!(Range::parse("~> 3.117.0").unwrap().entirely_below(four));
        assert!(Range::parse("< 4.0.0").unwrap().entirely_below(four));
        assert!(!Range::parse(">= 3.0, < 5.0").unwrap().entirely_below(four));
        assert_eq!(Range::parse("latest"), None);
    }
}

//! What a team requires of its infrastructure. Defaults hold until a configuration file
//! sets them.

#[derive(Debug, Clone)]
pub struct Policy {
    pub resiliency: Resiliency,
}

#[derive(Debug, Clone)]
pub struct Resiliency {
    /// Distinct regions every configuration's accounts must span.
    pub min_regions: usize,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            // Two regions: the smallest number that survives a regional outage.
            resiliency: Resiliency { min_regions: 2 },
        }
    }
}

//! `aoai-lint catalog refresh`: the catalog rebuilt from Microsoft's published tables.

pub mod yaml;

#[cfg(test)]
mod tests {
    use super::yaml::Node;

    /// The files under `rules/` are written as a refresh writes them, so a refresh that
    /// changes no fact changes no byte. `AOAI_LINT_WRITE_CATALOG=1` rewrites them.
    #[test]
    fn the_committed_catalog_is_in_the_refresh_format() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let write = std::env::var_os("AOAI_LINT_WRITE_CATALOG").is_some();
        let mut stale = Vec::new();
        for file in ["models", "regions", "deployment-types", "quotas", "provider-schema"] {
            let path = dir.join(format!("{file}.yaml"));
            let text = std::fs::read_to_string(&path).unwrap();
            let node = Node::parse(&text).unwrap();
            let written = node.to_yaml();
            assert_eq!(Node::parse(&written).unwrap(), node, "{file} reads back as it was");
            if write {
                std::fs::write(&path, &written).unwrap();
            } else if written != text {
                stale.push(file);
            }
        }
        assert!(
            stale.is_empty(),
            "{stale:?}: run `AOAI_LINT_WRITE_CATALOG=1 cargo test committed_catalog`"
        );
    }
}

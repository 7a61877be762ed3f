//! The tables of a Markdown page as Microsoft's docs write them: pipe tables, each under
//! the headings (and tab labels) that say what it is about.

/// One pipe table: the headings above it, outermost first, its header and its rows, with
/// cells stripped of emphasis, line breaks and links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headings: Vec<String>,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The index of the first column whose header contains one of `names` (any case).
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let h = h.to_ascii_lowercase();
            names.iter().any(|n| h.contains(n))
        })
    }

    /// Whether a heading above the table contains `text` (any case).
    pub fn under(&self, text: &str) -> bool {
        let text = text.to_ascii_lowercase();
        self.headings.iter().any(|h| h.to_ascii_lowercase().contains(&text))
    }
}

/// Every pipe table of `text`. A tab label (`# [Global Standard](#tab/global)`) counts as
/// a heading one level below the one it sits under.
pub fn tables(text: &str) -> Vec<Table> {
    let mut headings: Vec<(usize, String)> = Vec::new();
    let mut tables = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if let Some((level, title)) = heading(trimmed) {
            headings.retain(|(l, _)| *l < level);
            headings.push((level, title));
            continue;
        }
        if !trimmed.starts_with('|') {
            continue;
        }
        let header = cells(trimmed);
        let Some(separator) = lines.peek() else { break };
        if !is_separator(separator) {
            continue;
        }
        lines.next();
        let mut rows = Vec::new();
        while let Some(row) = lines.peek().map(|l| l.trim()) {
            if !row.starts_with('|') {
                break;
            }
            rows.push(cells(row));
            lines.next();
        }
        tables.push(Table {
            headings: headings.iter().map(|(_, t)| t.clone()).collect(),
            header,
            rows,
        });
    }
    tables
}

/// `## Title` → (2, "Title"); a tab label `# [Title](#tab/x)` → (7, "Title"), below every
/// real heading.
fn heading(line: &str) -> Option<(usize, String)> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || !line[hashes..].starts_with(' ') {
        return None;
    }
    let title = line[hashes..].trim();
    if let Some(label) = title.strip_prefix('[')
        && let Some((label, target)) = label.split_once("](")
        && target.starts_with("#tab/")
    {
        return Some((7, clean(label)));
    }
    Some((hashes, clean(title)))
}

fn is_separator(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('|') && line.contains('-') && line.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(clean).collect()
}

/// A cell's text: no emphasis, no HTML line breaks, a link's text without its target.
pub fn clean(cell: &str) -> String {
    let mut text = cell.replace("<br>", " ").replace("<br/>", " ").replace("<br />", " ");
    text = text.replace("**", "").replace('`', "");
    // `[text](target)` → `text`
    while let Some(start) = text.find('[')
        && let Some(middle) = text[start..].find("](").map(|m| start + m)
        && let Some(end) = text[middle..].find(')').map(|e| middle + e)
    {
        text = format!("{}{}{}", &text[..start], &text[start + 1..middle], &text[end + 1..]);
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether a matrix cell says "offered" (a check mark, or `Yes`).
pub fn is_offered(cell: &str) -> bool {
    let cell = cell.trim();
    cell.contains('✅') || cell.eq_ignore_ascii_case("yes") || cell == "✔" || cell == "✔️"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_keep_their_headings_and_tabs() {
        let text = "# Page\n\n## Global Standard\n\n# [US](#tab/us)\n\n| **Model** | Version | eastus |\n|---|:-:|---|\n| **gpt-4o** | 2024-11-20 | ✅ |\n| [o3](x.md) | 2025-04-16 | - |\n\n## Standard\n| Model | Version |\n| --- | --- |\n";
        let tables = tables(text);
        assert_eq!(tables.len(), 2);
        assert_eq!(tables[0].headings, ["Page", "Global Standard", "US"]);
        assert_eq!(tables[0].header, ["Model", "Version", "eastus"]);
        assert_eq!(
            tables[0].rows,
            [["gpt-4o", "2024-11-20", "✅"], ["o3", "2025-04-16", "-"]]
        );
        assert_eq!(tables[1].headings, ["Page", "Standard"]);
        assert!(tables[1].rows.is_empty());
        assert!(tables[0].under("global standard"));
        assert_eq!(tables[0].column(&["version"]), Some(1));
    }

    #[test]
    fn cells_lose_their_markup() {
        assert_eq!(clean(" **gpt-5.5**,<br>**2026-04-24** "), "gpt-5.5, 2026-04-24");
        assert_eq!(clean("[gpt-4o](../x.md#y) (preview)"), "gpt-4o (preview)");
        assert!(is_offered("✅") && !is_offered("-") && !is_offered(""));
    }
}

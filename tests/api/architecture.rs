//! The house's shape, checked from the source (and ARCHITECTURE.md kept true): no import circle of more than two files in
//! `src/` (a file's imports are its `crate::…`, `super::…` and `use super::{…}` paths, comments
//! left out, each resolved to the longest module path that is a file), and the job engine
//! (`src/jobs/`) imports no domain module.

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

/// Modules that hold a domain's rules; the engine and the infrastructure must not import them.
const DOMAINS: [&str; 14] = [
    "attendance",
    "checkins",
    "companies",
    "days",
    "departments",
    "demo",
    "employees",
    "hanet",
    "linking",
    "photos",
    "schedules",
    "sync",
    "timesheets",
    "workers",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/").flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/a/b.rs` → `[a, b]`; `src/a/mod.rs` → `[a]`; `src/lib.rs` → `[]`.
fn module_of(root: &Path, file: &Path) -> Vec<String> {
    let rel = file
        .strip_prefix(root)
        .expect("under src/")
        .with_extension("");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if parts
        .last()
        .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
    {
        parts.pop();
    }
    parts
}

fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // Not inside a string such as "http://…": good enough for import lines.
            Some(at) if !line[..at].contains('"') => &line[..at],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Paths after `prefix` (`crate::`, `super::`): each as its segments.
fn paths_after<'a>(
    text: &'a str,
    prefix: &'a str,
) -> impl Iterator<Item = (usize, Vec<String>)> + 'a {
    text.match_indices(prefix).filter_map(move |(at, _)| {
        let before = text[..at].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let mut ups = 0;
        let mut rest = &text[at..];
        while let Some(r) = rest.strip_prefix(prefix) {
            ups += 1;
            rest = r;
        }
        let path: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
            .collect();
        let segments: Vec<String> = path
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        Some((ups, segments))
    })
}

/// Splits `a, b::{c, d}, e` at its top-level commas.
fn top_level(body: &str) -> Vec<&str> {
    let (mut depth, mut start, mut items) = (0, 0, Vec::new());
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&body[start..]);
    items
}

/// The full paths a use tree's braces hold: `a::{b, c::{d, self}}` under `prefix`.
fn expand(prefix: &[String], body: &str, out: &mut Vec<Vec<String>>) {
    for item in top_level(body) {
        let item = item.trim();
        let item = item.split(" as ").next().unwrap_or(item).trim();
        if item.is_empty() {
            continue;
        }
        match (item.find('{'), item.rfind('}')) {
            (Some(open), Some(close)) if open < close => {
                let head: Vec<String> = item[..open]
                    .split("::")
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect();
                expand(&[prefix, &head].concat(), &item[open + 1..close], out);
            }
            _ if item == "self" => out.push(prefix.to_vec()),
            _ => out.push(
                [
                    prefix,
                    &item
                        .split("::")
                        .map(|s| s.trim().to_owned())
                        .collect::<Vec<_>>(),
                ]
                .concat(),
            ),
        }
    }
}

/// Every path of the `use <start>{…};` groups in `text`, under `prefix`.
fn use_groups(text: &str, start: &str, prefix: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices(start) {
        let body = &text[at + start.len()..];
        let Some(end) = body.find("};") else { continue };
        expand(prefix, &body[..end], &mut out);
    }
    out
}

struct Tree {
    files: BTreeMap<Vec<String>, PathBuf>,
    edges: BTreeMap<PathBuf, BTreeSet<PathBuf>>,
}

impl Tree {
    fn resolve(&self, path: &[String]) -> Option<&PathBuf> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.files.get(&path[..n]))
    }

    fn read() -> Self {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut list = Vec::new();
        sources(&root, &mut list);
        let mut tree = Tree {
            files: list
                .iter()
                .map(|f| (module_of(&root, f), f.clone()))
                .collect(),
            edges: BTreeMap::new(),
        };
        for file in &list {
            let me = module_of(&root, file);
            let text = without_comments(&std::fs::read_to_string(file).expect("source"));
            let mut targets = BTreeSet::new();
            for (_, path) in paths_after(&text, "crate::") {
                targets.extend(tree.resolve(&path).cloned());
            }
            for (ups, path) in paths_after(&text, "super::") {
                let base = &me[..me.len().saturating_sub(ups)];
                targets.extend(tree.resolve(&[base, &path].concat()).cloned());
            }
            for path in use_groups(&text, "use crate::{", &[]) {
                targets.extend(tree.resolve(&path).cloned());
            }
            for path in use_groups(&text, "use super::{", &me[..me.len().saturating_sub(1)]) {
                targets.extend(tree.resolve(&path).cloned());
            }
            targets.remove(file);
            tree.edges.insert(file.clone(), targets);
        }
        tree
    }

    /// Strongly connected components (Tarjan's).
    fn circles(&self) -> Vec<Vec<PathBuf>> {
        struct Walk<'a> {
            tree: &'a Tree,
            index: BTreeMap<&'a PathBuf, usize>,
            low: BTreeMap<&'a PathBuf, usize>,
            stack: Vec<&'a PathBuf>,
            out: Vec<Vec<PathBuf>>,
        }
        fn visit<'a>(w: &mut Walk<'a>, v: &'a PathBuf) {
            let n = w.index.len();
            w.index.insert(v, n);
            w.low.insert(v, n);
            w.stack.push(v);
            for t in w.tree.edges.get(v).into_iter().flatten() {
                if !w.index.contains_key(t) {
                    visit(w, t);
                    let low = w.low[t].min(w.low[v]);
                    w.low.insert(v, low);
                } else if w.stack.contains(&t) {
                    let low = w.index[t].min(w.low[v]);
                    w.low.insert(v, low);
                }
            }
            if w.low[v] == w.index[v] {
                let mut component = Vec::new();
                while let Some(t) = w.stack.pop() {
                    component.push(t.clone());
                    if t == v {
                        break;
                    }
                }
                w.out.push(component);
            }
        }
        let mut walk = Walk {
            tree: self,
            index: BTreeMap::new(),
            low: BTreeMap::new(),
            stack: Vec::new(),
            out: Vec::new(),
        };
        for file in self.edges.keys() {
            if !walk.index.contains_key(file) {
                visit(&mut walk, file);
            }
        }
        walk.out
    }
}

#[test]
fn no_import_circle_of_more_than_two_files() {
    let tree = Tree::read();
    assert!(
        tree.edges.len() > 100,
        "read the sources: {}",
        tree.edges.len()
    );
    let jobs = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/jobs/runner.rs");
    assert!(
        tree.edges[&jobs]
            .iter()
            .any(|t| t.ends_with("jobs/handler.rs")),
        "imports are read"
    );
    let long: Vec<Vec<PathBuf>> = tree.circles().into_iter().filter(|c| c.len() > 2).collect();
    assert!(
        long.is_empty(),
        "import circles of more than two files: {long:#?}"
    );
}

#[test]
fn the_job_engine_imports_no_domain() {
    let tree = Tree::read();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for (file, targets) in &tree.edges {
        if !file.starts_with(root.join("jobs")) {
            continue;
        }
        for target in targets {
            let module = module_of(&root, target);
            if module
                .first()
                .is_some_and(|m| DOMAINS.contains(&m.as_str()))
            {
                found.push((file.clone(), target.clone()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "src/jobs/ imports domain modules: {found:#?}"
    );
}

#[test]
fn every_path_architecture_md_names_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let prefixed = |t: &str| {
        ["src/", "tests/", "entity/", "migration/"]
            .iter()
            .any(|p| t.starts_with(p))
    };
    // A code-map line opens with its folder; bare file names in it are in that folder.
    let mut named: Vec<String> = Vec::new();
    let mut base = String::new();
    for paragraph in text.split("\n- ") {
        base.clear();
        for (i, token) in paragraph.split('`').skip(1).step_by(2).enumerate() {
            if prefixed(token) {
                if i == 0 && token.ends_with('/') {
                    base = token.to_owned();
                }
                named.push(token.to_owned());
            } else if token.ends_with(".rs") && !token.contains(' ') && !base.is_empty() {
                named.push(format!("{base}{token}"));
            }
        }
    }
    assert!(
        named.len() > 40,
        "ARCHITECTURE.md names the modules: {named:?}"
    );
    let missing: Vec<&String> = named.iter().filter(|p| !root.join(p).exists()).collect();
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {missing:?}"
    );
}

#[test]
fn stored_days_sit_below_the_modules_that_change_them() {
    // `days/` reads what it needs through its own queries: it imports none of the modules
    // whose changes reach days (they call its one entry point, `days::recompute`).
    const ABOVE: [&str; 8] = [
        "attendance",
        "checkins",
        "employees",
        "photos",
        "schedules",
        "sync",
        "timesheets",
        "linking",
    ];
    let tree = Tree::read();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    assert!(
        tree.edges
            .get(&root.join("days/rebuild.rs"))
            .is_some_and(|t| t.iter().any(|f| f.ends_with("days/rows.rs"))),
        "src/days/ is read"
    );
    let mut found = Vec::new();
    for (file, targets) in &tree.edges {
        if !file.starts_with(root.join("days")) {
            continue;
        }
        for target in targets {
            if module_of(&root, target)
                .first()
                .is_some_and(|m| ABOVE.contains(&m.as_str()))
            {
                found.push((file.clone(), target.clone()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "src/days/ imports modules above it: {found:#?}"
    );
}

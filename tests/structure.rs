//! The shape of `src/`, checked from its text: no import circles between
//! modules, no function over 150 lines outside tests, no source file over
//! 800 lines. Each failure names the offender.
//!
//! Granularity: a module is one file (`foo.rs` or `foo/mod.rs`; the few
//! inline modules count as part of their file). Module A imports module B
//! when A's non-test code names a path into B: a `use` (re-exports by a
//! parent `mod.rs` included) or a path written inline (`crate::store::x`,
//! `super::Y`, `child::z`). A path resolves to the deepest module it
//! names, so `crate::store::CaptureId` imports `store` (its `mod.rs`), which
//! in turn imports whatever file that `mod.rs` re-exports it from. A circle
//! is any set of modules that reach each other through such imports,
//! directly or through others. `mod child;` alone is not an import.
//! The library (`lib.rs` and its tree) and the binary (`main.rs` and `cli/`)
//! are separate crates; the binary's `vellum::…` paths leave its crate.
//! Test code (`#[cfg(test)]` items and files, `#[test]` functions) is left
//! out of the circle and function checks, not of the file-length check.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 150;
const MAX_FILE_LINES: usize = 800;

#[test]
fn src_has_no_circles_long_functions_or_long_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let problems = check(&root);
    assert!(
        problems.is_empty(),
        "{} structure problem(s) in src/:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The checker itself can fail: a seeded circle (direct, through a third
/// module, and through a parent's re-export), a long function and a long
/// file are each reported by name, and test code is left out.
#[test]
fn checker_reports_seeded_problems() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    let write = |rel: &str, text: &str| {
        let p = src.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let long_body = "    let x = 1;\n".repeat(MAX_FN_LINES);
    write(
        "lib.rs",
        "pub mod a;\npub mod b;\npub mod c;\npub mod p;\npub mod clean;\n",
    );
    // a -> b -> c -> a, through a `use` tree and an inline path.
    write("a.rs", "use crate::{b::B, c};\npub struct A;\n");
    write(
        "b.rs",
        "pub struct B;\npub fn f() { let _ = crate::c::C; }\n",
    );
    write(
        "c.rs",
        "// use crate::clean; (a comment is no import)\npub struct C;\npub fn g() -> crate::a::A { crate::a::A }\n",
    );
    // p re-exports its child, the child reaches back through `super`.
    write("p/mod.rs", "mod kid;\npub use kid::K;\npub struct P;\n");
    write("p/kid.rs", "pub struct K(super::P);\n");
    // A long function, and test code that would be a circle and too long.
    write(
        "clean.rs",
        &format!(
            "const S: &str = \"crate::a::A {{\";\npub fn long() {{\n{long_body}}}\n\
             #[cfg(test)]\nmod tests {{\n    use crate::a::A;\n    fn t() {{\n{long_body}    }}\n}}\n\
             #[test]\nfn t2() {{\n{long_body}}}\n"
        ),
    );
    write("main.rs", "mod cli;\nfn main() {}\n");
    write(
        "cli/mod.rs",
        &format!("use vellum::a::A;\n{}", "// line\n".repeat(MAX_FILE_LINES)),
    );
    let problems = check(src);
    let all = problems.join("\n");
    let circles: Vec<_> = problems.iter().filter(|p| p.contains("circle")).collect();
    assert_eq!(circles.len(), 2, "{all}");
    assert!(all.contains("a -> b") || all.contains("b -> c"), "{all}");
    assert!(all.contains("import circle: a, b, c"), "{all}");
    assert!(all.contains("import circle: p, p::kid"), "{all}");
    assert!(all.contains("clean.rs:2: fn long is 152 lines"), "{all}");
    assert!(!all.contains("fn t"), "test functions are exempt: {all}");
    assert!(all.contains("cli/mod.rs is 801 lines"), "{all}");
    assert_eq!(problems.len(), 4, "{all}");
}

fn check(root: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut files = Vec::new();
    collect_rs(root, &mut files);
    files.sort();
    for f in &files {
        let lines = std::fs::read_to_string(f).unwrap().lines().count();
        if lines > MAX_FILE_LINES {
            problems.push(format!(
                "{} is {lines} lines (limit {MAX_FILE_LINES})",
                rel(root, f)
            ));
        }
    }
    for crate_root in ["lib.rs", "main.rs"] {
        if !root.join(crate_root).exists() {
            continue;
        }
        let modules = load_crate(root, crate_root);
        for m in modules.values().filter(|m| !m.test) {
            for (name, line, len) in long_functions(&m.code) {
                problems.push(format!(
                    "{}:{line}: fn {name} is {len} lines (limit {MAX_FN_LINES})",
                    rel(root, &m.file)
                ));
            }
        }
        problems.extend(circles(&modules));
    }
    problems
}

fn rel(root: &Path, f: &Path) -> String {
    f.strip_prefix(root).unwrap_or(f).display().to_string()
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            collect_rs(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

type ModPath = Vec<String>;

struct Module {
    file: PathBuf,
    /// Non-test code, comments and literals blanked, lines kept.
    code: String,
    test: bool,
    children: BTreeSet<String>,
}

fn load_crate(root: &Path, crate_root: &str) -> BTreeMap<ModPath, Module> {
    let mut modules = BTreeMap::new();
    let mut todo = vec![(Vec::new(), root.join(crate_root), false)];
    while let Some((path, file, test)) = todo.pop() {
        let text = std::fs::read_to_string(&file).unwrap();
        let (code, test_children) = remove_test_code(&blank_literals(&text));
        let dir = if path.is_empty() || file.ends_with("mod.rs") {
            file.parent().unwrap().to_path_buf()
        } else {
            file.with_extension("")
        };
        let mut children = BTreeSet::new();
        for name in mod_declarations(&code)
            .into_iter()
            .map(|n| (n, test))
            .chain(test_children.into_iter().map(|n| (n, true)))
        {
            let (name, child_test) = name;
            let flat = dir.join(format!("{name}.rs"));
            let file = if flat.exists() {
                flat
            } else {
                dir.join(&name).join("mod.rs")
            };
            let mut p = path.clone();
            p.push(name.clone());
            if !child_test {
                children.insert(name);
            }
            todo.push((p, file, child_test));
        }
        modules.insert(
            path,
            Module {
                file,
                code,
                test,
                children,
            },
        );
    }
    modules
}

/// Replaces the insides of comments, strings and char literals with spaces
/// (newlines kept), so braces and paths in them are not read as code.
fn blank_literals(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or('\0');
        if c == '/' && next == '/' {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == '*' {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || (c == 'b' && next == 'r'))
            && !prev_is_ident(&b, i)
            && raw_string_start(&b, i + usize::from(c == 'b') + 1).is_some()
        {
            let start = i + usize::from(c == 'b') + 1;
            let hashes = raw_string_start(&b, start).unwrap();
            let body = start + hashes + 1;
            out.extend(b[i..body].iter());
            i = body;
            while i < b.len() {
                if b[i] == '"' && (0..hashes).all(|k| b.get(i + 1 + k) == Some(&'#')) {
                    out.push('"');
                    out.extend(std::iter::repeat_n('#', hashes));
                    i += 1 + hashes;
                    break;
                }
                out.push(blank(b[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if next == '\\' {
                (i + 2..b.len()).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push('\'');
                    out.extend(std::iter::repeat_n(' ', end - i - 1));
                    out.push('\'');
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// At `i`: `#*"` opening a raw string; returns the number of `#`.
fn raw_string_start(b: &[char], i: usize) -> Option<usize> {
    let hashes = b[i.min(b.len())..]
        .iter()
        .take_while(|&&c| c == '#')
        .count();
    (b.get(i + hashes) == Some(&'"')).then_some(hashes)
}

/// Blanks every item marked `#[cfg(test)]` or `#[test]`; returns the code
/// and the names of test-only child modules (`#[cfg(test)] mod x;`).
fn remove_test_code(code: &str) -> (String, Vec<String>) {
    let mut b: Vec<char> = code.chars().collect();
    let mut test_mods = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let rest: String = b[i..(i + 12).min(b.len())].iter().collect();
        if !(rest.starts_with("#[cfg(test)]") || rest.starts_with("#[test]")) {
            i += 1;
            continue;
        }
        // The item runs to its first `;` or the `}` matching its first `{`.
        let mut k = i;
        let mut depth = 0usize;
        let mut in_attr = 0usize;
        while k < b.len() {
            match b[k] {
                '[' => in_attr += 1,
                ']' => in_attr = in_attr.saturating_sub(1),
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                ';' if depth == 0 && in_attr == 0 => break,
                _ => {}
            }
            k += 1;
        }
        let k = k.min(b.len() - 1);
        let item: String = b[i..=k].iter().collect();
        let words: Vec<&str> = item
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        if item.trim_end().ends_with(';')
            && let Some(p) = words.iter().position(|w| *w == "mod")
        {
            test_mods.push(words[p + 1].to_string());
        }
        for c in &mut b[i..=k] {
            if *c != '\n' {
                *c = ' ';
            }
        }
        i = k + 1;
    }
    (b.into_iter().collect(), test_mods)
}

/// Tokens: identifiers (with `$crate`), `::`, and single punctuation.
fn tokens(code: &str) -> Vec<(String, usize)> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphanumeric() || c == '_' || (c == '$' && b.get(i + 1) == Some(&'c')) {
            let s = i;
            i += 1;
            while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                i += 1;
            }
            let word: String = b[s..i].iter().collect();
            out.push((word.trim_start_matches('$').to_string(), line));
        } else if c == ':' && b.get(i + 1) == Some(&':') {
            out.push(("::".into(), line));
            i += 2;
        } else {
            out.push((c.to_string(), line));
            i += 1;
        }
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn mod_declarations(code: &str) -> Vec<String> {
    let t = tokens(code);
    (0..t.len().saturating_sub(2))
        .filter(|&i| t[i].0 == "mod" && is_ident(&t[i + 1].0) && t[i + 2].0 == ";")
        .map(|i| t[i + 1].0.clone())
        .collect()
}

/// Functions longer than the limit: (name, first line, length in lines).
fn long_functions(code: &str) -> Vec<(String, usize, usize)> {
    let t = tokens(code);
    let mut out = Vec::new();
    for i in 0..t.len() {
        if t[i].0 != "fn" || !t.get(i + 1).is_some_and(|n| is_ident(&n.0)) {
            continue;
        }
        let Some(open) = (i..t.len()).find(|&k| t[k].0 == "{" || t[k].0 == ";") else {
            continue;
        };
        if t[open].0 == ";" {
            continue;
        }
        let mut depth = 0;
        for (tok, line) in &t[open..] {
            match tok.as_str() {
                "{" => depth += 1,
                "}" => {
                    depth -= 1;
                    if depth == 0 {
                        let len = line - t[i].1 + 1;
                        if len > MAX_FN_LINES {
                            out.push((t[i + 1].0.clone(), t[i].1, len));
                        }
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// Paths in `use` trees: `use a::{b, c::{d as e, self}, f::*};` gives
/// (`a::b`, b), (`a::c::d`, e), (`a::c`, c), (`a::f`, -).
fn use_paths(t: &[(String, usize)], mut i: usize) -> (Vec<(ModPath, Option<String>)>, usize) {
    fn tree(
        t: &[(String, usize)],
        i: &mut usize,
        prefix: &ModPath,
        out: &mut Vec<(ModPath, Option<String>)>,
    ) {
        let mut path = prefix.clone();
        loop {
            let tok = t[*i].0.as_str();
            match tok {
                "{" => {
                    *i += 1;
                    while t[*i].0 != "}" {
                        tree(t, i, &path, out);
                        if t[*i].0 == "," {
                            *i += 1;
                        }
                    }
                    *i += 1;
                    return;
                }
                "*" => {
                    *i += 1;
                    out.push((path, None));
                    return;
                }
                "::" => *i += 1,
                "self" if !path.is_empty() => {
                    *i += 1;
                    let name = path.last().cloned();
                    out.push((path, name));
                    return;
                }
                _ if is_ident(tok) => {
                    path.push(tok.to_string());
                    *i += 1;
                    if t[*i].0 == "::" {
                        continue;
                    }
                    let mut name = path.last().cloned();
                    if t[*i].0 == "as" {
                        name = Some(t[*i + 1].0.clone());
                        *i += 2;
                    }
                    out.push((path, name));
                    return;
                }
                _ => {
                    *i += 1;
                    return;
                }
            }
        }
    }
    let mut out = Vec::new();
    if t[i].0 == "::" {
        i += 1;
    }
    tree(t, &mut i, &Vec::new(), &mut out);
    while i < t.len() && t[i].0 != ";" {
        i += 1;
    }
    (out, i)
}

/// The module a path names, resolved from module `here`: the deepest known
/// module along it, or None for paths that leave the crate.
fn resolve(
    path: &[String],
    here: &ModPath,
    modules: &BTreeMap<ModPath, Module>,
    aliases: &HashMap<String, ModPath>,
) -> Option<ModPath> {
    let (first, rest) = path.split_first()?;
    let mut abs: ModPath = match first.as_str() {
        "crate" => Vec::new(),
        "self" => here.clone(),
        "super" => {
            let mut p = here.clone();
            p.pop()?;
            let mut rest = rest;
            while rest.first().is_some_and(|s| s == "super") {
                p.pop()?;
                rest = &rest[1..];
            }
            return deepest(p, rest, modules);
        }
        name if modules[here].children.contains(name) => {
            let mut p = here.clone();
            p.push(name.to_string());
            p
        }
        name => aliases.get(name)?.clone(),
    };
    if !matches!(first.as_str(), "crate" | "self") && !modules.contains_key(&abs) {
        return None;
    }
    let base = std::mem::take(&mut abs);
    deepest(base, rest, modules)
}

fn deepest(
    mut base: ModPath,
    rest: &[String],
    modules: &BTreeMap<ModPath, Module>,
) -> Option<ModPath> {
    for seg in rest {
        base.push(seg.clone());
        if !modules.contains_key(&base) {
            base.pop();
            break;
        }
    }
    modules.contains_key(&base).then_some(base)
}

/// Each import edge with the line of its first occurrence.
fn imports(modules: &BTreeMap<ModPath, Module>) -> BTreeMap<(ModPath, ModPath), usize> {
    let mut edges = BTreeMap::new();
    for (here, m) in modules.iter().filter(|(_, m)| !m.test) {
        let t = tokens(&m.code);
        let mut aliases = HashMap::new();
        let mut i = 0;
        let mut found = Vec::new();
        // `use` items first (their aliases serve inline paths).
        while i < t.len() {
            if t[i].0 == "use" && (i == 0 || t[i - 1].0 != "::") {
                let line = t[i].1;
                let (paths, end) = use_paths(&t, i + 1);
                for (p, name) in paths {
                    if let Some(target) = resolve(&p, here, modules, &aliases) {
                        if let Some(name) = name
                            && target.len() >= p.len().saturating_sub(1)
                            && modules.contains_key(&target)
                            && target.last() == p.last()
                        {
                            aliases.insert(name, target.clone());
                        }
                        found.push((target, line));
                    }
                }
                i = end;
            }
            i += 1;
        }
        // Inline paths: `a::b::c` not inside a `use`.
        let mut i = 0;
        while i < t.len() {
            if t[i].0 == "use" && (i == 0 || t[i - 1].0 != "::") {
                while i < t.len() && t[i].0 != ";" {
                    i += 1;
                }
                continue;
            }
            let starts = is_ident(&t[i].0)
                && t.get(i + 1).is_some_and(|n| n.0 == "::")
                && (i == 0 || t[i - 1].0 != "::");
            if starts {
                let mut path = vec![t[i].0.clone()];
                let mut k = i + 1;
                while k + 1 < t.len() && t[k].0 == "::" && is_ident(&t[k + 1].0) {
                    path.push(t[k + 1].0.clone());
                    k += 2;
                }
                if let Some(target) = resolve(&path, here, modules, &aliases) {
                    found.push((target, t[i].1));
                }
                i = k;
            } else {
                i += 1;
            }
        }
        for (target, line) in found {
            if &target != here && !modules[&target].test {
                edges.entry((here.clone(), target)).or_insert(line);
            }
        }
    }
    edges
}

fn name(p: &ModPath) -> String {
    if p.is_empty() {
        "crate".into()
    } else {
        p.join("::")
    }
}

/// Strongly connected components of the import graph with more than one
/// module, each reported with the imports that close it.
fn circles(modules: &BTreeMap<ModPath, Module>) -> Vec<String> {
    let edges = imports(modules);
    let nodes: Vec<&ModPath> = modules.keys().collect();
    let index: HashMap<&ModPath, usize> = nodes.iter().enumerate().map(|(i, p)| (*p, i)).collect();
    let mut adj = vec![Vec::new(); nodes.len()];
    for (a, b) in edges.keys() {
        adj[index[a]].push(index[b]);
    }
    let reach = |from: usize| {
        let mut seen = vec![false; nodes.len()];
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            for &m in &adj[n] {
                if !seen[m] {
                    seen[m] = true;
                    stack.push(m);
                }
            }
        }
        seen
    };
    let reaches: Vec<Vec<bool>> = (0..nodes.len()).map(reach).collect();
    let mut done = vec![false; nodes.len()];
    let mut out = Vec::new();
    for n in 0..nodes.len() {
        if done[n] || !reaches[n][n] {
            continue;
        }
        let comp: Vec<usize> = (0..nodes.len())
            .filter(|&m| reaches[n][m] && reaches[m][n])
            .collect();
        for &m in &comp {
            done[m] = true;
        }
        let names: Vec<String> = comp.iter().map(|&m| name(nodes[m])).collect();
        let inner: Vec<String> = edges
            .iter()
            .filter(|((a, b), _)| comp.contains(&index[a]) && comp.contains(&index[b]))
            .map(|((a, b), line)| {
                format!(
                    "    {} -> {} ({}:{line})",
                    name(a),
                    name(b),
                    modules[a].file.display()
                )
            })
            .collect();
        out.push(format!(
            "import circle: {}\n{}",
            names.join(", "),
            inner.join("\n")
        ));
    }
    out
}

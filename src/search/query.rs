//! The query language of the search box and of saved searches:
//! words (prefix match), `"quoted phrases"` (exact words), `tag:x`,
//! `author:"Yee Whye Teh"`, `year:2024`, `-` for NOT, `OR`, parentheses;
//! terms side by side must all match. `search.js` evaluates the same
//! language over the index with the same meaning.

use super::text::words;
use crate::parse::Paper;
use crate::slug::slugify;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A word, matching any field word that starts with it.
    Prefix(String),
    /// Words that must each appear exactly, in any field.
    Exact(Vec<String>),
    /// A tag, by slug.
    Tag(String),
    /// Words that must each be an exact word of an author name.
    Author(Vec<String>),
    Year(i16),
    Not(Box<Query>),
    And(Vec<Query>),
    Or(Vec<Query>),
}

/// A syntax error and the 1-based column of the query where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl Query {
    pub fn parse(text: &str) -> Result<Query, QueryError> {
        let tokens = tokenize(text)?;
        let mut parser = Parser {
            tokens,
            at: 0,
            end: text.chars().count() + 1,
        };
        let query = parser.or()?;
        match parser.tokens.get(parser.at) {
            None => Ok(query),
            Some((column, token)) => Err(QueryError {
                column: *column,
                message: format!("unexpected `{}`", token.show()),
            }),
        }
    }

    /// Whether `paper` matches, with the meaning `search.js` gives the query.
    pub fn matches(&self, paper: &Paper) -> bool {
        let doc = Fields::of(paper);
        self.eval(&doc, paper)
    }

    fn eval(&self, doc: &Fields, paper: &Paper) -> bool {
        match self {
            Query::Prefix(w) => doc.all.iter().any(|x| x.starts_with(w.as_str())),
            Query::Exact(ws) => ws.iter().all(|w| doc.all.contains(w)),
            Query::Tag(slug) => paper.tags.iter().any(|t| slugify(t) == *slug),
            Query::Author(ws) => ws.iter().all(|w| doc.authors.contains(w)),
            Query::Year(y) => paper.date.year() == *y,
            Query::Not(q) => !q.eval(doc, paper),
            Query::And(qs) => qs.iter().all(|q| q.eval(doc, paper)),
            Query::Or(qs) => qs.iter().any(|q| q.eval(doc, paper)),
        }
    }
}

/// A paper's searchable words, as the index records them.
struct Fields {
    all: Vec<String>,
    authors: Vec<String>,
}

impl Fields {
    fn of(paper: &Paper) -> Fields {
        let authors: Vec<String> = paper.authors.iter().flat_map(words).collect();
        let mut all: Vec<String> = words(&paper.title);
        all.extend(authors.iter().cloned());
        all.extend(paper.tags.iter().flat_map(words));
        all.extend(paper.arxiv.iter().flat_map(|a| words(a)));
        all.extend(words(&paper.body.text()));
        Fields { all, authors }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Field(String, String),
    Minus,
    Or,
    Open,
    Close,
}

impl Token {
    fn show(&self) -> String {
        match self {
            Token::Word(w) => w.clone(),
            Token::Quoted(q) => format!("\"{q}\""),
            Token::Field(k, v) => format!("{k}:{v}"),
            Token::Minus => "-".into(),
            Token::Or => "OR".into(),
            Token::Open => "(".into(),
            Token::Close => ")".into(),
        }
    }
}

fn tokenize(text: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            tokens.push((column, if c == '(' { Token::Open } else { Token::Close }));
            i += 1;
        } else if c == '-' && tokens_can_negate(&chars, i) {
            tokens.push((column, Token::Minus));
            i += 1;
        } else if c == '"' {
            let (quoted, next) = read_quoted(&chars, i)?;
            tokens.push((column, Token::Quoted(quoted)));
            i = next;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '(' | ')' | '"')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if let Some((key, value)) = word.split_once(':')
                && matches!(key, "tag" | "author" | "year")
            {
                let value = if value.is_empty() && chars.get(i) == Some(&'"') {
                    let (quoted, next) = read_quoted(&chars, i)?;
                    i = next;
                    quoted
                } else {
                    value.to_string()
                };
                if value.is_empty() {
                    return Err(QueryError {
                        column,
                        message: format!("`{key}:` needs a value, e.g. {key}:\"…\""),
                    });
                }
                tokens.push((column, Token::Field(key.to_string(), value)));
            } else if word == "OR" {
                tokens.push((column, Token::Or));
            } else {
                tokens.push((column, Token::Word(word)));
            }
        }
    }
    Ok(tokens)
}

/// `-` negates when it starts a term (`-tag:x`, `-(a OR b)`), not inside a word.
fn tokens_can_negate(chars: &[char], i: usize) -> bool {
    (i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(')
        && chars.get(i + 1).is_some_and(|c| !c.is_whitespace())
}

fn read_quoted(chars: &[char], open: usize) -> Result<(String, usize), QueryError> {
    let close = chars[open + 1..]
        .iter()
        .position(|&c| c == '"')
        .ok_or(QueryError {
            column: open + 1,
            message: "this quote is never closed".into(),
        })?;
    Ok((
        chars[open + 1..open + 1 + close].iter().collect(),
        open + close + 2,
    ))
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    /// The column just past the query, for "expected more" errors.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(c, _)| *c)
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some(&Token::Or) {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Query::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut parts = Vec::new();
        while let Some(token) = self.peek() {
            if matches!(token, Token::Or | Token::Close) {
                break;
            }
            parts.push(self.unary()?);
        }
        match parts.len() {
            0 => Err(QueryError {
                column: self.column(),
                message: "expected a search term".into(),
            }),
            1 => Ok(parts.remove(0)),
            _ => Ok(Query::And(parts)),
        }
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        let column = self.column();
        let Some((_, token)) = self.tokens.get(self.at).cloned() else {
            return Err(QueryError {
                column,
                message: "expected a search term".into(),
            });
        };
        self.at += 1;
        let empty = |what: &str| QueryError {
            column,
            message: format!("{what} has no searchable words"),
        };
        match token {
            Token::Minus => Ok(Query::Not(Box::new(self.unary()?))),
            Token::Open => {
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err(QueryError {
                        column,
                        message: "this parenthesis is never closed".into(),
                    });
                }
                self.at += 1;
                Ok(inner)
            }
            Token::Word(w) => {
                let ws = words(&w);
                match ws.len() {
                    // Only stopwords or punctuation: no constraint, as in search.js.
                    0 => Ok(Query::And(Vec::new())),
                    1 => Ok(Query::Prefix(ws[0].clone())),
                    // `edge-of-reach`: its words, the last one a prefix.
                    _ => {
                        let mut parts: Vec<Query> = ws[..ws.len() - 1]
                            .iter()
                            .map(|w| Query::Exact(vec![w.clone()]))
                            .collect();
                        parts.push(Query::Prefix(ws[ws.len() - 1].clone()));
                        Ok(Query::And(parts))
                    }
                }
            }
            Token::Quoted(q) => {
                let ws = words(&q);
                if ws.is_empty() {
                    Ok(Query::And(Vec::new()))
                } else {
                    Ok(Query::Exact(ws))
                }
            }
            Token::Field(key, value) => match key.as_str() {
                "tag" => {
                    let slug = slugify(&value);
                    if slug.is_empty() {
                        Err(empty("the tag"))
                    } else {
                        Ok(Query::Tag(slug))
                    }
                }
                "author" => {
                    let ws = words(&value);
                    if ws.is_empty() {
                        Err(empty("the author"))
                    } else {
                        Ok(Query::Author(ws))
                    }
                }
                _ => value
                    .trim()
                    .parse()
                    .map(Query::Year)
                    .map_err(|_| QueryError {
                        column,
                        message: format!("`year:{value}` needs a year such as year:2024"),
                    }),
            },
            Token::Or | Token::Close => Err(QueryError {
                column,
                message: format!("unexpected `{}`", token.show()),
            }),
        }
    }
}

/// The index term for a tag (`#reward-modeling`); `tag:` queries look it up.
pub fn tag_key(tag: &str) -> String {
    format!("#{}", slugify(tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::paper;

    fn q(text: &str) -> Query {
        Query::parse(text).unwrap_or_else(|e| panic!("{text}: {e:?}"))
    }

    #[test]
    fn parses_the_documented_example() {
        assert_eq!(
            q(r#"author:"Yee Whye Teh" OR (tag:reward-modeling -tag:survey)"#),
            Query::Or(vec![
                Query::Author(vec!["yee".into(), "whye".into(), "teh".into()]),
                Query::And(vec![
                    Query::Tag("reward-modeling".into()),
                    Query::Not(Box::new(Query::Tag("survey".into()))),
                ]),
            ])
        );
        assert_eq!(q("Reinf"), Query::Prefix("reinf".into()));
        assert_eq!(
            q("\"Edge of Reach\""),
            Query::Exact(vec!["edge".into(), "reach".into()])
        );
        assert_eq!(q("year:2024"), Query::Year(2024));
        assert_eq!(q("the"), Query::And(vec![]), "stopwords constrain nothing");
        assert_eq!(
            q("self-play"),
            Query::And(vec![
                Query::Exact(vec!["self".into()]),
                Query::Prefix("play".into())
            ])
        );
    }

    #[test]
    fn syntax_errors_carry_their_column() {
        for (text, column) in [
            ("(x OR y", 1),
            ("x \"y", 3),
            ("tag:", 1),
            ("x OR", 5),
            ("year:soon", 1),
            (")", 1),
            ("x )", 3),
            ("tag:!!!", 1),
        ] {
            let err = Query::parse(text).unwrap_err();
            assert_eq!(err.column, column, "{text}: {err:?}");
        }
    }

    #[test]
    fn matching_follows_the_documented_meaning() {
        let mut p = paper("p", "2024-02-19", &["Reward Modeling", "RL"]);
        p.title = "The Edge-of-Reach Problem".into();
        p.authors = ["Yee Whye Teh", "Jürgen Müller"].into();
        p.body = crate::parse::Body::new("", "Offline reinforcement learning.");
        for yes in [
            "reinf",
            "edge reach",
            "muller",
            "author:\"yee whye teh\"",
            "author:muller",
            "tag:reward-modeling",
            "tag:\"Reward Modeling\"",
            "year:2024",
            "-tag:survey",
            "zzz OR edge",
            "\"offline reinforcement\"",
        ] {
            assert!(q(yes).matches(&p), "{yes}");
        }
        for no in [
            "zzz",
            "author:reach",
            "tag:survey",
            "year:2023",
            "-edge",
            "edge zzz",
            "\"offlin\"",
            "author:\"yee zzz\"",
        ] {
            assert!(!q(no).matches(&p), "{no}");
        }
    }
}

//! Generates a synthetic paper corpus for benchmarks:
//! `cargo run --release --example gen_corpus -- N OUT_DIR [SEED]`.
//!
//! Realistic shape: 1–30 authors from a pool of ~40,000 names (some with
//! non-ASCII letters), 1–5 tags from a Zipf-like vocabulary of 200, dates
//! over ten years, 120–250-word abstracts, ~20% with inline math, ~5% with a
//! fenced code block, heavy-tailed upvotes. Deterministic for a given seed.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: tiny, and its sequence never changes between versions, so a
/// seed means the same corpus forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Zipf-like: index i with weight 1/(i+1).
    fn zipf(&mut self, n: usize) -> usize {
        let h: f64 = (1..=n).map(|i| 1.0 / i as f64).sum();
        let mut target = self.unit() * h;
        for i in 0..n {
            target -= 1.0 / (i + 1) as f64;
            if target <= 0.0 {
                return i;
            }
        }
        n - 1
    }
}

const FIRST: &[&str] = &[
    "Anya",
    "Cong",
    "Jakob",
    "Yee Whye",
    "Zoë",
    "Léo",
    "Jürgen",
    "Niccolò",
    "Nicolás",
    "Karolina",
    "Bernhard",
    "Frederik",
    "Mehar",
    "Shravan",
    "Li",
    "Wei",
    "Haotian",
    "Yuki",
    "Sven",
    "Ingrid",
    "Álvaro",
    "Chloé",
    "François",
    "Dmitri",
    "Olga",
    "Aarav",
    "Priya",
    "Kwame",
    "Amara",
    "Mateus",
    "João",
    "Søren",
    "Ørjan",
    "Zeynep",
    "Emre",
    "Hye-jin",
    "Min-jun",
    "Thảo",
    "Quang",
    "Fatima",
    "Omar",
    "Lucía",
    "Sofía",
    "Grace",
    "Alan",
    "Ada",
    "Claas",
    "Amir",
];
const LAST: &[&str] = &[
    "Sims",
    "Lu",
    "Foerster",
    "Teh",
    "Müller",
    "Meynent",
    "Schmidhuber",
    "Biondi",
    "Astorga",
    "Stańczak",
    "Schölkopf",
    "Träuble",
    "Bhatia",
    "Nayak",
    "Wang",
    "Zhang",
    "Chen",
    "Tanaka",
    "Sato",
    "Larsen",
    "Øvergaard",
    "García",
    "Dubois",
    "Ivanov",
    "Petrova",
    "Sharma",
    "Gupta",
    "Mensah",
    "Okafor",
    "Silva",
    "Costa",
    "Kaya",
    "Yılmaz",
    "Kim",
    "Park",
    "Nguyễn",
    "Trần",
    "Haddad",
    "Rahman",
    "López",
    "Hopper",
    "Turing",
    "Lovelace",
    "Voelcker",
    "Farahmand",
    "Garg",
];
const WORDS: &[&str] = &[
    "learning",
    "model",
    "models",
    "training",
    "reinforcement",
    "policy",
    "reward",
    "language",
    "large",
    "neural",
    "network",
    "networks",
    "data",
    "dataset",
    "benchmark",
    "performance",
    "results",
    "method",
    "approach",
    "agents",
    "optimization",
    "gradient",
    "representation",
    "representations",
    "transformer",
    "attention",
    "alignment",
    "preference",
    "human",
    "feedback",
    "inference",
    "generalization",
    "robust",
    "efficient",
    "scalable",
    "sample",
    "offline",
    "online",
    "exploration",
    "value",
    "function",
    "estimation",
    "uncertainty",
    "bayesian",
    "prior",
    "posterior",
    "contrastive",
    "self-supervised",
    "pretraining",
    "fine-tuning",
    "evaluation",
    "tasks",
    "task",
    "zero-shot",
    "few-shot",
    "in-context",
    "reasoning",
    "planning",
    "search",
    "tree",
    "graph",
    "vision",
    "image",
    "video",
    "multimodal",
    "retrieval",
    "memory",
    "context",
    "long",
    "sequence",
    "tokens",
    "compute",
    "scaling",
    "laws",
    "mixture",
    "experts",
    "routing",
    "sparse",
    "dense",
    "latent",
    "diffusion",
    "generative",
    "adversarial",
    "theory",
    "bounds",
    "regret",
    "convergence",
    "analysis",
    "empirical",
    "study",
    "we",
    "propose",
    "show",
    "that",
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "with",
    "on",
    "our",
    "this",
    "is",
    "are",
    "by",
    "from",
    "which",
];
const MATH: &[&str] = &[
    "$\\mathcal{O}(\\sqrt{T})$",
    "$\\hat{\\theta}$",
    "$\\mathbb{E}[r_t]$",
    "$\\sum_{i=1}^{N} x_i$",
    "$\\frac{1}{n}$",
    "$\\arg\\max_\\pi J(\\pi)$",
    "$\\nabla_\\theta \\mathcal{L}$",
    "$\\gamma^t$",
];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args
        .first()
        .and_then(|a| a.parse().ok())
        .expect("usage: gen_corpus N OUT_DIR [SEED]");
    let out = Path::new(args.get(1).expect("usage: gen_corpus N OUT_DIR [SEED]"));
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    let mut rng = Rng(seed);
    let papers = out.join("content/papers");
    std::fs::create_dir_all(&papers).expect("create the corpus folder");
    std::fs::write(
        out.join("site.toml"),
        "title = \"Benchmark corpus\"\nbase_url = \"https://example.org/\"\npaginate_by = 30\nfeed_limit = 20\n",
    )
    .expect("write site.toml");
    let tags: Vec<String> = (0..200).map(|i| format!("topic-{i:03}")).collect();
    let start = jiff::civil::date(2015, 1, 1);
    for i in 0..n {
        let title_words: Vec<&str> = (0..4 + rng.below(8))
            .map(|_| WORDS[rng.below(WORDS.len())])
            .collect();
        let mut title = title_words.join(" ");
        title[..1].make_ascii_uppercase();
        let title = format!("{title} {i}");
        let date = start
            .checked_add(jiff::Span::new().days(rng.below(3652) as i64))
            .expect("in range");
        let authors: Vec<String> = (0..1 + rng.below(30))
            .map(|_| {
                let k = rng.below(FIRST.len() * LAST.len() * 18);
                let (first, last, initial) = (
                    FIRST[k % FIRST.len()],
                    LAST[(k / FIRST.len()) % LAST.len()],
                    k / (FIRST.len() * LAST.len()),
                );
                format!("\"{first} {}. {last}\"", (b'A' + initial as u8) as char)
            })
            .collect();
        let mut paper_tags: Vec<&str> = (0..1 + rng.below(5))
            .map(|_| tags[rng.zipf(tags.len())].as_str())
            .collect();
        paper_tags.dedup();
        // Pareto-like: most papers have a few upvotes, some have hundreds.
        let upvotes = (1.0 / (1.0 - rng.unit() * 0.999)).powf(1.3) as u64 - 1;
        let mut body = String::new();
        for w in 0..120 + rng.below(131) {
            if w > 0 {
                body.push(if w % 17 == 0 { '.' } else { ' ' });
                if w % 17 == 0 {
                    body.push(' ');
                }
            }
            body.push_str(WORDS[rng.below(WORDS.len())]);
        }
        body.push('.');
        if rng.below(5) == 0 {
            let _ = write!(
                body,
                " We bound the error by {}.",
                MATH[rng.below(MATH.len())]
            );
        }
        if rng.below(20) == 0 {
            body.push_str(
                "\n\n```python\ndef loss(model, batch):\n    return model(batch).mean()\n```\n",
            );
        }
        let text = format!(
            "---\ntitle: \"{title}\"\ndate: {date}\nauthors: [{}]\ntags: [{}]\narxiv: \"{}.{:05}\"\nupvotes: {upvotes}\n---\n{body}\n",
            authors.join(", "),
            paper_tags.join(", "),
            date.strftime("%y%m"),
            i % 100_000,
        );
        std::fs::write(papers.join(format!("paper-{i:07}.md")), text).expect("write a paper");
    }
    eprintln!("wrote {n} papers to {}", papers.display());
}

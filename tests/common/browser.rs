//! Headless Chromium through chromedriver's WebDriver HTTP API, using the
//! Debian packages `scripts/test` installs.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::http::{get, request};

pub struct Browser {
    driver: Child,
    session: String,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver is installed (scripts/test installs it)");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
            || get(&format!("{url}/status")).status != 200
        {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap();
        let capabilities = json!({
            "capabilities": {"alwaysMatch": {"goog:loggingPrefs": {"browser": "ALL"}, "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", profile.path().display())]
            }}}
        });
        let reply: Value = serde_json::from_str(
            &request(
                "POST",
                &format!("{url}/session"),
                Some(&capabilities.to_string()),
            )
            .body,
        )
        .unwrap();
        let id = reply["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"));
        Browser {
            driver,
            session: format!("{url}/session/{id}"),
            _profile: profile,
        }
    }

    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let reply = request(
            method,
            &format!("{}{path}", self.session),
            Some(&body.to_string()),
        );
        serde_json::from_str::<Value>(&reply.body).unwrap_or_default()["value"].clone()
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", json!({}))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Runs `script` (a function body) in the page and returns its result.
    pub fn eval(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// A `width`×`height` CSS-pixel viewport (a phone's when `mobile`) for
    /// the pages that follow.
    pub fn viewport(&self, width: u32, height: u32, mobile: bool) {
        self.call(
            "POST",
            "/goog/cdp/execute",
            json!({ "cmd": "Emulation.setDeviceMetricsOverride",
                    "params": { "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile } }),
        );
    }

    /// Light or dark `prefers-color-scheme` for the pages that follow.
    pub fn color_scheme(&self, scheme: &str) {
        self.call(
            "POST",
            "/goog/cdp/execute",
            json!({ "cmd": "Emulation.setEmulatedMedia",
                    "params": { "features": [{ "name": "prefers-color-scheme", "value": scheme }] } }),
        );
    }

    /// axe-core's serious and critical violations on the current page, as
    /// `rule: selectors` lines (axe-core from `target/tools`, which
    /// `scripts/test` installs).
    pub fn axe(&self) -> Vec<String> {
        let path = super::repo_root().join("target/tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (scripts/test installs axe-core)", path.display()));
        self.eval(&format!("{source}\nreturn true;"));
        let found = self.eval(
            "return axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
               return r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                 .map(function (v) { return v.id + ': ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); });
             });",
        );
        found
            .as_array()
            .unwrap_or_else(|| panic!("axe did not run: {found}"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Polls `script` until it returns a truthy value.
    pub fn wait_for(&self, script: &str, what: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let value = self.eval(script);
            let truthy = !(value.is_null() || value == false || value == "" || value == 0);
            if truthy {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Types `text` into the element matching `css`, as keystrokes.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.call(
            "POST",
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        );
    }

    pub fn clear(&self, css: &str) {
        let id = self.element(css);
        self.call("POST", &format!("/element/{id}/clear"), json!({}));
    }

    /// The WebDriver id of the element matching `css`.
    fn element(&self, css: &str) -> String {
        let element = self.call(
            "POST",
            "/element",
            json!({"using": "css selector", "value": css}),
        );
        element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {css}"))
            .to_string()
    }

    /// Console messages of the page.
    pub fn logs(&self) -> Vec<String> {
        let value = self.call("POST", "/se/log", json!({"type": "browser"}));
        value
            .as_array()
            .unwrap_or_else(|| panic!("no browser log: {value}"))
            .iter()
            .filter_map(|e| e["message"].as_str().map(String::from))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request("DELETE", &self.session, None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

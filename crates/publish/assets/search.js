// Search in a Kartoteka public edition, with no server.
//
// The index (search/*.js) lists the words of every page under their sound keys, the
// keys of kartoteka_text::translit_keys: this file computes the same keys for the query,
// fetches the index files for them, and ranks pages by how many query words they hold.
// search/selfcheck.js holds words with the keys the edition gave them; the page checks
// this code agrees and says so (document.body.dataset.selfcheck is "ok" or names a word).
"use strict";
(function () {
  // Letters every romanisation convention reads the same way.
  const COMMON = {
    a: "a", e: "a", i: "a", o: "a", u: "a", y: "a", j: "a",
    b: "b", d: "d", f: "f", g: "g", h: "h", k: "k", l: "l", "ł": "l", m: "m",
    n: "n", "ń": "n", p: "p", r: "r",
    s: "s", z: "s", "š": "s", "ž": "s", "ś": "s", "ź": "s", "ż": "s",
    t: "t", v: "v", w: "v", q: "k", c: "k", x: "ks", "č": "q", "ć": "q", "ŝ": "sq",
  };
  const CYRILLIC = {
    "а": "a", "е": "a", "ё": "a", "и": "a", "о": "a", "у": "a", "ы": "a", "э": "a",
    "ю": "a", "я": "a", "й": "a", "і": "a", "ї": "a", "є": "a",
    "ь": "", "ъ": "", "б": "b", "в": "v", "ў": "v", "г": "g", "ґ": "g", "д": "d",
    "ж": "s", "з": "s", "с": "s", "ш": "s", "к": "k", "л": "l", "м": "m", "н": "n",
    "п": "p", "р": "r", "т": "t", "ф": "f", "х": "h", "ц": "ts", "ч": "q", "щ": "sq",
  };
  const ENGLISH = [["shch", "sq"], ["shh", "sq"], ["sch", "sq"], ["tch", "q"], ["kh", "h"],
    ["zh", "s"], ["sh", "s"], ["ch", "q"], ["tc", "ts"], ["ck", "k"], ["ph", "f"]];
  const SCHOLARLY = [["shch", "sq"], ["shh", "sq"], ["kh", "h"], ["zh", "s"], ["sh", "s"],
    ["ch", "q"], ["cz", "ts"], ["sc", "sq"], ["eh", "a"], ["c", "ts"], ["x", "h"]];
  const GERMAN = [["schtsch", "sq"], ["tsch", "q"], ["dsch", "ds"], ["sch", "s"], ["ch", "h"],
    ["tz", "ts"], ["ck", "k"], ["ph", "f"], ["z", "ts"]];
  const FRENCH = [["chtch", "sq"], ["tch", "q"], ["dj", "ds"], ["ch", "s"], ["kh", "h"],
    ["qu", "k"], ["ph", "f"], ["j", "s"]];
  const POLISH = [["szcz", "sq"], ["dż", "ds"], ["cz", "q"], ["sz", "s"], ["rz", "s"],
    ["ch", "h"], ["dz", "ds"], ["c", "ts"]];
  const CONVENTIONS = [ENGLISH, SCHOLARLY, GERMAN, FRENCH, POLISH];
  const CASE_ENDINGS = ["am", "ah", "ag"];

  const isCyrillic = (c) => {
    const n = c.codePointAt(0);
    return (n >= 0x400 && n <= 0x4ff) || (n >= 0x500 && n <= 0x52f);
  };
  const isAlphabetic = (c) => /\p{Alphabetic}/u.test(c);
  const isAlphanumeric = (c) => /[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]/u.test(c);
  const stripMarks = (c) => {
    for (const d of c.normalize("NFD")) {
      if (!/\p{M}/u.test(d)) return d;
    }
    return c;
  };

  function latinRaw(word, rules) {
    let raw = "";
    let i = 0;
    outer: while (i < word.length) {
      for (const [pattern, key] of rules) {
        if (word.startsWith(pattern, i)) {
          raw += key;
          i += pattern.length;
          continue outer;
        }
      }
      const c = String.fromCodePoint(word.codePointAt(i));
      i += c.length;
      if (c in COMMON) raw += COMMON[c];
      else if (c in CYRILLIC) raw += CYRILLIC[c];
      else {
        const base = stripMarks(c);
        if (base !== c) {
          if (base in COMMON) raw += COMMON[base];
        } else if (/[0-9]/.test(c)) raw += c;
      }
    }
    return raw;
  }

  function finish(raw) {
    let out = "";
    let last = null;
    for (const c of raw) {
      if (c !== last) {
        out += c;
        last = c;
      }
    }
    if (out.length > 1 && out.endsWith("a")) out = out.slice(0, -1);
    return out;
  }

  function keyCyrillic(word) {
    let raw = "";
    for (const c of word) {
      if (c in CYRILLIC) raw += CYRILLIC[c];
      else if (isAlphanumeric(c)) raw += latinRaw(c, ENGLISH);
    }
    return finish(raw);
  }

  function keysLatin(word) {
    const keys = [];
    if (![...word].some(isAlphabetic)) return keys;
    for (const rules of CONVENTIONS) {
      const key = finish(latinRaw(word, rules));
      if (key && !keys.includes(key)) keys.push(key);
    }
    return keys;
  }

  // kartoteka_text::translit_keys
  function translitKeys(word) {
    const lower = word.toLowerCase();
    const latin = [...lower].some((c) => isAlphabetic(c) && !isCyrillic(c));
    let keys = latin ? keysLatin(lower) : [keyCyrillic(lower)];
    keys = keys.filter((k) => k.length > 0);
    const n = keys.length;
    for (let i = 0; i < n; i++) {
      for (const e of CASE_ENDINGS) {
        if (keys[i].endsWith(e) && keys[i].length - e.length >= 3) {
          const stripped = keys[i].slice(0, -e.length);
          if (!keys.includes(stripped)) keys.push(stripped);
          break;
        }
      }
    }
    return keys;
  }

  const words = (text) =>
    text.split(/[^\p{Alphabetic}\p{Nd}\p{Nl}\p{No}]+/u).filter((w) => w)
      .map((w) => w.toLowerCase().replace(/ё/g, "е"));
  const shardFile = (key) =>
    [...key].slice(0, 2).map((c) => (/[a-z0-9]/i.test(c) ? c : "u" + c.codePointAt(0).toString(16))).join("");

  const script = document.currentScript;
  const lang = (script && script.dataset.lang) || "en";
  const base = "../search/";
  // Index files are scripts that hand their data to kartotekaSearch.put: a page opened
  // from the disk may load scripts, but not fetch files.
  const loaded = {};
  window.kartotekaSearch = { put: (name, data) => { loaded[name] = data; } };
  const cache = new Map();
  function load(name) {
    if (!cache.has(name)) {
      cache.set(name, new Promise((resolve) => {
        const s = document.createElement("script");
        s.src = base + name + ".js";
        s.onload = () => resolve(loaded[name] || {});
        s.onerror = () => resolve({});
        document.head.appendChild(s);
      }));
    }
    return cache.get(name);
  }

  async function search(query) {
    const docs = await load("docs");
    const qwords = words(query);
    // Every query word must be found in a page; a page's score counts exact keys twice.
    const score = new Map();
    const matched = new Map();
    for (const w of qwords) {
      const hit = new Map();
      for (const key of translitKeys(w)) {
        const shard = await load("k-" + shardFile(key));
        for (const [k, byWord] of Object.entries(shard)) {
          const exact = k === key;
          if (!exact && !(key.length >= 3 && k.startsWith(key))) continue;
          for (const ds of Object.values(byWord)) {
            for (const d of ds) hit.set(d, Math.max(hit.get(d) || 0, exact ? 2 : 1));
          }
        }
      }
      for (const [d, s] of hit) {
        score.set(d, (score.get(d) || 0) + s);
        matched.set(d, (matched.get(d) || 0) + 1);
      }
    }
    return [...score.entries()]
      .filter(([d]) => matched.get(d) === qwords.length)
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([d]) => docs[d])
      .filter((d) => d);
  }

  async function selfcheck() {
    const sample = await load("selfcheck");
    for (const [word, keys] of sample) {
      const mine = translitKeys(word);
      if (mine.join(" ") !== keys.join(" ")) {
        document.body.dataset.selfcheck = "differs on " + word;
        return;
      }
    }
    document.body.dataset.selfcheck = "ok";
  }

  const form = document.getElementById("search-form");
  const input = document.getElementById("search-q");
  const status = document.getElementById("search-status");
  const results = document.getElementById("search-results");
  const say = (en, ru) => (lang === "ru" ? ru : en);

  async function run(query) {
    results.textContent = "";
    if (!query.trim()) {
      status.textContent = "";
      return;
    }
    status.textContent = say("Searching…", "Поиск…");
    const found = await search(query);
    for (const [href, titleEn, titleRu, kind] of found.slice(0, 200)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = href;
      a.textContent = lang === "ru" ? titleRu : titleEn;
      li.appendChild(a);
      li.appendChild(document.createTextNode(" (" + (kind === "person" ? say("person", "лицо") : say("report", "отчёт")) + ")"));
      results.appendChild(li);
    }
    status.textContent = found.length
      ? say(found.length + " found", "Найдено: " + found.length)
      : say("Nothing found", "Ничего не найдено");
    document.body.dataset.searched = query;
  }

  if (form) {
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const q = input.value;
      history.replaceState(null, "", "?q=" + encodeURIComponent(q));
      run(q);
    });
    const q = new URLSearchParams(location.search).get("q") || "";
    input.value = q;
    selfcheck().then(() => run(q));
  }
})();

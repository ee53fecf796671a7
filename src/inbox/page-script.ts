/**
 * The inbox page's script, served as /app.js: plain browser JavaScript (no framework, no build),
 * written without template literals so that it can live in this string. It polls /api/items
 * every 2 s, keeps each shown item's element (a half-filled form and the focus survive updates),
 * filters, confirms bulk decisions inline, builds elicitation forms from the requested schema and
 * opens the item named by #/run/<workflowId>/approval/<id>.
 */
import { FORM_SCRIPT } from './page-forms';

const MAIN_SCRIPT = String.raw`
'use strict';
(function () {
  var REFRESH_MS = 2000;
  var byKey = new Map();
  var snapshot = { approvals: [], inputs: [] };
  var pendingBulk = null;
  var target = null;
  var targetMissingSaid = false;
  var seq = 0;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }
  function keyOf(item) { return item.kind + '\u0000' + item.workflow_id + '\u0000' + item.id; }
  function newId(prefix) { seq += 1; return prefix + '-' + seq; }
  function say(text) { $('status').textContent = text; }

  function age(iso) {
    if (!iso) return 'unknown';
    var seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (seconds < 60) return seconds + ' s';
    if (seconds < 3600) return Math.round(seconds / 60) + ' min';
    if (seconds < 86400) return Math.round(seconds / 3600) + ' h';
    return Math.round(seconds / 86400) + ' d';
  }

  // The item named in the address: #/run/<workflowId>/approval/<id> (or /input/<id>); the id may be percent-encoded.
  function readTarget() {
    var match = /^#\/run\/(.+)\/(approval|input)\/([^/]+)$/.exec(location.hash);
    target = null;
    targetMissingSaid = false;
    if (!match) return;
    var decode = function (text) { try { return decodeURIComponent(text); } catch (e) { return text; } };
    target = { kind: match[2], workflow_id: decode(match[1]), id: decode(match[3]) };
  }

  function showTarget() {
    if (!target) return;
    var node = byKey.get(keyOf(target));
    if (!node) {
      if (!targetMissingSaid) say('The linked item (' + target.id + ' of ' + target.workflow_id + ') is not waiting: answered already, or its run ended.');
      targetMissingSaid = true;
      return;
    }
    document.querySelectorAll('.item.highlight').forEach(function (other) { other.classList.remove('highlight'); });
    node.classList.add('highlight');
    node.scrollIntoView({ block: 'center' });
    node.focus();
    target = null;
  }

  function filters() {
    return {
      server: $('filter-server').value.trim().toLowerCase(),
      tool: $('filter-tool').value.trim().toLowerCase(),
      run: $('filter-run').value.trim().toLowerCase(),
    };
  }
  function matches(item, f) {
    var contains = function (value, wanted) { return !wanted || String(value || '').toLowerCase().indexOf(wanted) >= 0; };
    return contains(item.server, f.server) && contains(item.tool, f.tool) && (contains(item.workflow_id, f.run) || contains(item.parent_id, f.run));
  }

  function runFacts(item) {
    var run = item.ui_url ? el('a', { href: item.ui_url, target: '_blank', rel: 'noopener', text: item.workflow_id }) : el('span', { text: item.workflow_id });
    var rows = [
      ['Run', run],
      item.parent_id ? ['Part of', el('span', { text: item.parent_id })] : null,
      ['Asked', el('span', { text: item.query || '(unknown)' })],
      ['Run age', el('span', { class: 'run-age', 'data-since': item.run_started_at, text: age(item.run_started_at) })],
      ['Waiting for', el('span', { class: 'wait-age', 'data-since': item.requested_at, text: age(item.requested_at) })],
    ];
    var list = el('dl');
    rows.forEach(function (row) { if (row) { list.appendChild(el('dt', { text: row[0] })); list.appendChild(el('dd', {}, [row[1]])); } });
    return list;
  }

  function shell(item, title) {
    var heading = newId('title');
    var node = el('li', { class: 'item', tabindex: '-1', 'aria-labelledby': heading, 'data-kind': item.kind, 'data-workflow-id': item.workflow_id, 'data-item-id': item.id });
    node.appendChild(el('h3', { id: heading, text: title }));
    node.appendChild(runFacts(item));
    return node;
  }

  function outcomeLine(node, ok, text) {
    var line = node.querySelector('.outcome');
    line.textContent = text;
    line.classList.toggle('refused', !ok);
  }

  function approvalNode(item) {
    var node = shell(item, item.server + ' · ' + item.tool);
    var argsId = newId('args');
    node.appendChild(el('p', { id: argsId, class: 'hint', text: 'Arguments (secrets hidden)' }));
    node.appendChild(el('pre', { class: 'args', 'aria-labelledby': argsId, text: JSON.stringify(item.arguments, null, 2) }));
    var reasonId = newId('reason');
    var what = item.tool + ' in ' + item.workflow_id;
    var reason = el('input', { id: reasonId, class: 'reason', type: 'text', maxlength: 2000 });
    var approve = el('button', { type: 'button', class: 'approve', text: 'Approve', 'aria-label': 'Approve ' + what });
    var deny = el('button', { type: 'button', class: 'deny', text: 'Deny', 'aria-label': 'Deny ' + what });
    node.appendChild(el('div', { class: 'actions' }, [
      el('div', { class: 'field' }, [el('label', { for: reasonId, text: 'Reason' }), reason]),
      approve, deny,
    ]));
    node.appendChild(el('p', { class: 'outcome', role: 'status' }));
    var act = function (decision) {
      approve.disabled = deny.disabled = true;
      decide(decision, [item], reason.value.trim()).then(function (outcomes) {
        var outcome = outcomes[0];
        if (outcome.ok) outcomeLine(node, true, (decision === 'approve' ? 'Approved' : 'Denied') + ' by ' + snapshot.me);
        else { outcomeLine(node, false, 'Not answered: ' + outcome.error); approve.disabled = deny.disabled = false; }
      });
    };
    approve.addEventListener('click', function () { act('approve'); });
    deny.addEventListener('click', function () { act('deny'); });
    return node;
  }

  /* FORM FUNCTIONS */

  function post(path, body) {
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (response) { return response.json(); })
      .catch(function (error) { return { error: String(error) }; });
  }

  function decide(decision, items, reason) {
    var body = { decision: decision, items: items.map(function (i) { return { workflow_id: i.workflow_id, id: i.id, call_hash: i.call_hash }; }) };
    if (reason) body.reason = reason;
    return post('/api/decide', body).then(function (result) {
      var outcomes = result.outcomes || items.map(function (i) { return { workflow_id: i.workflow_id, id: i.id, ok: false, error: result.error || 'failed' }; });
      var done = outcomes.filter(function (o) { return o.ok; }).length;
      say((decision === 'approve' ? 'Approved ' : 'Denied ') + done + ' of ' + outcomes.length + (outcomes.length - done ? ' (' + (outcomes.length - done) + ' not answered: see each item)' : ''));
      outcomes.forEach(function (o) {
        var node = byKey.get('approval\u0000' + o.workflow_id + '\u0000' + o.id);
        if (node) outcomeLine(node, o.ok, o.ok ? (decision === 'approve' ? 'Approved' : 'Denied') + ' by ' + snapshot.me : 'Not answered: ' + o.error);
      });
      refresh();
      return outcomes;
    });
  }

  // Keyed: an item already shown is left as it is (a half-filled form, the focus), only its ages change.
  function renderList(list, items, build) {
    var seen = new Set();
    var previous = null;
    items.forEach(function (item) {
      var key = keyOf(item);
      seen.add(key);
      var node = byKey.get(key);
      if (!node) {
        node = build(item);
        byKey.set(key, node);
        list.insertBefore(node, previous ? previous.nextSibling : list.firstChild);
      }
      previous = node;
    });
    Array.prototype.slice.call(list.children).forEach(function (node) {
      var key = node.getAttribute('data-kind') + '\u0000' + node.getAttribute('data-workflow-id') + '\u0000' + node.getAttribute('data-item-id');
      if (seen.has(key)) return;
      var hadFocus = node.contains(document.activeElement);
      byKey.delete(key);
      list.removeChild(node);
      if (hadFocus) (list.querySelector('.item') || list.parentNode.querySelector('h2')).focus();
    });
  }

  function applyFilters() {
    var f = filters();
    var shown = 0;
    byKey.forEach(function (node, key) {
      var item = node.__item;
      var visible = matches(item, f);
      node.hidden = !visible;
      if (visible && item.kind === 'approval') shown += 1;
    });
    $('shown-count').textContent = String(shown);
    $('approve-shown').disabled = $('deny-shown').disabled = shown === 0;
  }

  function render() {
    $('me').textContent = 'Signed in as ' + snapshot.me + '. Updated ' + new Date(snapshot.generated_at).toLocaleTimeString() + '.';
    renderList($('approvals'), snapshot.approvals, function (item) { var node = approvalNode(item); node.__item = item; return node; });
    renderList($('inputs'), snapshot.inputs, function (item) { var node = inputNode(item); node.__item = item; return node; });
    $('approvals-count').textContent = String(snapshot.approvals.length);
    $('inputs-count').textContent = String(snapshot.inputs.length);
    $('approvals-empty').hidden = snapshot.approvals.length > 0;
    $('inputs-empty').hidden = snapshot.inputs.length > 0;
    var unreadable = $('unreadable');
    unreadable.textContent = '';
    (snapshot.unreadable || []).forEach(function (row) { unreadable.appendChild(el('li', { text: row.workflow_id + ': ' + row.error })); });
    $('unreadable-section').hidden = !(snapshot.unreadable || []).length;
    document.querySelectorAll('[data-since]').forEach(function (span) { span.textContent = age(span.getAttribute('data-since')); });
    if (snapshot.error) say('Temporal could not be read: ' + snapshot.error);
    applyFilters();
    showTarget();
  }

  var inFlight = false;
  function refresh() {
    if (inFlight) return;
    inFlight = true;
    fetch('/api/items', { credentials: 'same-origin' })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(new Error('HTTP ' + response.status)); })
      .then(function (data) { snapshot = data; render(); document.body.setAttribute('data-loaded', 'true'); })
      .catch(function (error) { say('Could not update the list: ' + error.message); })
      .finally(function () { inFlight = false; });
  }

  function askBulk(decision) {
    var f = filters();
    var items = snapshot.approvals.filter(function (item) { return matches(item, f) && byKey.has(keyOf(item)); });
    if (!items.length) return;
    pendingBulk = { decision: decision, items: items };
    $('bulk-question').textContent = (decision === 'approve' ? 'Approve' : 'Deny') + ' these ' + items.length + ' request(s) in ' + new Set(items.map(function (i) { return i.workflow_id; })).size + ' run(s)?';
    $('bulk-yes').textContent = 'Yes, ' + decision + ' ' + items.length;
    $('bulk-confirm').hidden = false;
    $('bulk-yes').focus();
  }

  function closeBulk(focusId) {
    pendingBulk = null;
    $('bulk-confirm').hidden = true;
    $(focusId).focus();
  }

  document.addEventListener('DOMContentLoaded', function () {
    ['filter-server', 'filter-tool', 'filter-run'].forEach(function (id) { $(id).addEventListener('input', applyFilters); });
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); });
    $('approve-shown').addEventListener('click', function () { askBulk('approve'); });
    $('deny-shown').addEventListener('click', function () { askBulk('deny'); });
    $('bulk-no').addEventListener('click', function () { closeBulk('approve-shown'); });
    $('bulk-confirm').addEventListener('keydown', function (event) { if (event.key === 'Escape') closeBulk('approve-shown'); });
    $('bulk-yes').addEventListener('click', function () {
      var bulk = pendingBulk;
      closeBulk(bulk && bulk.decision === 'deny' ? 'deny-shown' : 'approve-shown');
      if (bulk) decide(bulk.decision, bulk.items, $('bulk-reason').value.trim());
    });
    window.addEventListener('hashchange', function () { readTarget(); showTarget(); });
    readTarget();
    refresh();
    setInterval(refresh, REFRESH_MS);
  });
})();
`;

/** The whole script: the form builders (./page-forms.ts) go inside its closure, where `el` and `newId` are. */
export const PAGE_SCRIPT = MAIN_SCRIPT.replace('  /* FORM FUNCTIONS */', () => FORM_SCRIPT);

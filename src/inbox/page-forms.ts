/**
 * The part of the inbox's script (./page-script.ts) that turns an elicitation's requested schema
 * into form fields, each with a real <label> (a fieldset and legend for a multi-select), and
 * reads the answer back in the types the schema asks for. The schema is flat (src/core/mcp-input.ts):
 * boolean, number or integer, string (enum, titled oneOf, email / uri / date / date-time), and
 * arrays of choices; and the item of a question with its Send / Decline / Dismiss buttons. Plain
 * browser JavaScript without template literals, run inside the main script's closure (its `el`,
 * `newId`, `shell`, `post`, `say`).
 */
export const FORM_SCRIPT = String.raw`  function fieldFor(name, schema, required) {
    var id = newId('field');
    var label = (schema.title || name) + (required ? ' (required)' : '');
    var hint = schema.description ? el('span', { id: id + '-hint', class: 'hint', text: schema.description }) : null;
    var described = hint ? id + '-hint' : undefined;
    if (schema.type === 'boolean') {
      var box = el('input', { id: id, type: 'checkbox', 'data-name': name, 'data-type': 'boolean', 'aria-describedby': described });
      return el('div', { class: 'field' }, [el('span', {}, [box, el('label', { for: id, text: ' ' + label })]), hint]);
    }
    if (schema.type === 'array') {
      var choices = schema.items.anyOf ? schema.items.anyOf.map(function (c) { return [c.const, c.title]; }) : schema.items.enum.map(function (v) { return [v, v]; });
      var set = el('fieldset', { 'data-name': name, 'data-type': 'array', 'aria-describedby': described }, [el('legend', { text: label })]);
      choices.forEach(function (choice) {
        var boxId = newId('choice');
        set.appendChild(el('div', {}, [el('input', { id: boxId, type: 'checkbox', value: choice[0] }), el('label', { for: boxId, text: ' ' + choice[1] })]));
      });
      return el('div', { class: 'field' }, [set, hint]);
    }
    var control;
    var options = schema.oneOf ? schema.oneOf.map(function (c) { return [c.const, c.title]; }) : schema.enum ? schema.enum.map(function (v) { return [v, v]; }) : null;
    if (options) {
      control = el('select', { id: id, required: required, 'data-name': name, 'data-type': 'string', 'aria-describedby': described }, [el('option', { value: '', text: required ? 'Choose…' : '(none)' })]);
      options.forEach(function (option) { control.appendChild(el('option', { value: option[0], text: option[1] })); });
    } else if (schema.type === 'number' || schema.type === 'integer') {
      control = el('input', { id: id, type: 'number', required: required, min: schema.minimum, max: schema.maximum, step: schema.type === 'integer' ? '1' : 'any', 'data-name': name, 'data-type': 'number', 'aria-describedby': described });
    } else {
      var types = { email: 'email', uri: 'url', date: 'date', 'date-time': 'datetime-local' };
      control = el('input', { id: id, type: types[schema.format] || 'text', required: required, minlength: schema.minLength, maxlength: schema.maxLength, 'data-name': name, 'data-type': schema.format === 'date-time' ? 'date-time' : 'string', 'aria-describedby': described });
    }
    return el('div', { class: 'field' }, [el('label', { for: id, text: label }), control, hint]);
  }

  function formContent(form) {
    var content = {};
    form.querySelectorAll('[data-name]').forEach(function (control) {
      var name = control.getAttribute('data-name');
      var type = control.getAttribute('data-type');
      if (type === 'boolean') content[name] = control.checked;
      else if (type === 'array') content[name] = Array.prototype.map.call(control.querySelectorAll('input:checked'), function (box) { return box.value; });
      else if (control.value === '') return;
      else if (type === 'number') content[name] = Number(control.value);
      else if (type === 'date-time') content[name] = new Date(control.value).toISOString();
      else content[name] = control.value;
    });
    return content;
  }

  function inputNode(item) {
    var node = shell(item, item.server + ' · ' + item.tool + ' asks');
    node.appendChild(el('p', { class: 'question', text: item.message }));
    var form = el('form', { class: 'answer', novalidate: false });
    if (item.mode === 'url') {
      form.appendChild(el('p', {}, [el('a', { href: item.url, target: '_blank', rel: 'noopener', text: 'Open the page the server asks you to visit' })]));
    } else {
      var schema = item.requested_schema || { properties: {} };
      var required = schema.required || [];
      Object.keys(schema.properties).forEach(function (name) { form.appendChild(fieldFor(name, schema.properties[name], required.indexOf(name) >= 0)); });
    }
    var send = el('button', { type: 'submit', class: 'send', text: item.mode === 'url' ? 'Done: accept' : 'Send answer' });
    var decline = el('button', { type: 'button', class: 'decline', text: 'Decline' });
    var cancel = el('button', { type: 'button', class: 'dismiss', text: 'Dismiss (cancel)' });
    form.appendChild(el('div', { class: 'actions' }, [send, decline, cancel]));
    node.appendChild(form);
    node.appendChild(el('p', { class: 'outcome', role: 'status' }));
    var buttons = [send, decline, cancel];
    var reply = function (action, content) {
      buttons.forEach(function (b) { b.disabled = true; });
      var body = { workflow_id: item.workflow_id, request_id: item.id, action: action };
      if (content) body.content = content;
      post('/api/answer', body).then(function (result) {
        var outcome = result.outcomes ? result.outcomes[0] : { ok: false, error: result.error };
        if (outcome.ok) outcomeLine(node, true, 'Answered (' + action + ') by ' + snapshot.me);
        else { outcomeLine(node, false, 'Not answered: ' + outcome.error); buttons.forEach(function (b) { b.disabled = false; }); }
        say(outcome.ok ? 'Answered ' + item.id + ' of ' + item.workflow_id : 'Not answered: ' + outcome.error);
      });
    };
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      reply('accept', item.mode === 'url' ? null : formContent(form));
    });
    decline.addEventListener('click', function () { reply('decline'); });
    cancel.addEventListener('click', function () { reply('cancel'); });
    return node;
  }
`;

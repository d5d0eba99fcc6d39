"""The view's pages as Jinja2 templates, kept in Python so they ship with the package as code.
Autoescaping is on for every template: record data is shown, never interpreted."""
from __future__ import annotations

BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · EazyBe Local Org</title>
<link rel="stylesheet" href="/view/static/view.css">
</head>
<body>
<header class="top">
  <a class="brand" href="/view/">EazyBe Local Org</a>
  {% if signed_in %}
  <form method="post" action="/view/logout"><button type="submit">Sign out</button></form>
  {% endif %}
</header>
<main>
{% block main %}{% endblock %}
</main>
</body>
</html>
"""

LOGIN = """{% extends "base.html" %}
{% block main %}
<section class="card narrow">
  <h1>Sign in</h1>
  <p class="muted">Use the local org's username and password.</p>
  {% if failed %}<p class="error" role="alert">Wrong username or password.</p>{% endif %}
  <form method="post" action="/view/login" class="login">
    <label>Username <input name="username" autocomplete="username" required value="{{ username }}"></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit">Sign in</button>
  </form>
</section>
{% endblock %}
"""

HOME = """{% extends "base.html" %}
{% block main %}
<h1>Objects</h1>
<table class="records">
  <thead><tr><th>Object</th><th>API name</th><th class="number">Records</th></tr></thead>
  <tbody>
  {% for row in objects %}
    <tr><td><a href="/view/o/{{ row.name }}">{{ row.label }}</a></td><td class="muted">{{ row.name }}</td>
        <td class="number">{{ "{:,}".format(row.count) }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
"""

TABLE = """{% macro records_table(columns, rows) -%}
<div class="scroll"><table class="records">
  <thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead>
  <tbody>
  {% for row in rows %}
    <tr>{% for cell in row %}<td>{% if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>{% else %}{{ cell.text }}{% endif %}</td>{% endfor %}</tr>
  {% endfor %}
  </tbody>
</table></div>
{%- endmacro %}
{% macro value(cell) -%}
{% if cell.href %}<a href="{{ cell.href }}">{{ cell.text }}</a>{% else %}{{ cell.text }}{% endif %}
{%- endmacro %}
"""

OBJECT_LIST = """{% extends "base.html" %}
{% from "table.html" import records_table %}
{% block main %}
<p class="crumbs"><a href="/view/">Objects</a></p>
<h1>{{ label_plural }}</h1>
<p class="muted">{{ "{:,}".format(total) }} records, most recently changed first.</p>
{% if rows %}{{ records_table(columns, rows) }}{% else %}<p class="empty">No records.</p>{% endif %}
<nav class="pager">
  {% if page > 1 %}<a href="?page={{ page - 1 }}">← Newer</a>{% endif %}
  <span>Page {{ page }} of {{ pages }}</span>
  {% if page < pages %}<a href="?page={{ page + 1 }}">Older →</a>{% endif %}
</nav>
{% endblock %}
"""

RECORD = """{% extends "base.html" %}
{% from "table.html" import records_table, value %}
{% block main %}
<p class="crumbs"><a href="/view/">Objects</a> › <a href="/view/o/{{ object_name }}">{{ label_plural }}</a></p>
<h1><span class="kind">{{ label }}</span>{{ title }}</h1>
{% if highlights %}
<section class="card highlights" aria-label="{{ highlights.title }}">
  <h2>{{ highlights.title }}</h2>
  <dl class="fields">
  {% for label, cell in highlights.rows %}<div><dt>{{ label }}</dt><dd>{{ value(cell) or "—" }}</dd></div>{% endfor %}
  </dl>
</section>
{% endif %}
{% for group in groups %}
<section class="card">
  <h2>{{ group.title }}</h2>
  {% if group.rows %}
  <dl class="fields">
  {% for label, cell in group.rows %}<div><dt>{{ label }}</dt><dd>{{ value(cell) }}</dd></div>{% endfor %}
  </dl>
  {% endif %}
  {% for label, cell, monospace in group.texts %}
  <h3>{{ label }}</h3>
  {% if monospace %}<pre class="transcript">{{ cell.text }}</pre>{% else %}<p class="long">{{ cell.text }}</p>{% endif %}
  {% endfor %}
</section>
{% endfor %}
{% for related in related_lists %}
<section class="card">
  <h2>{{ related.title }} <span class="count">({{ related.rows | length }})</span></h2>
  {% if related.rows %}{{ records_table(related.columns, related.rows) }}{% else %}<p class="empty">None.</p>{% endif %}
</section>
{% endfor %}
<section class="card">
  <h2>Notes &amp; Attachments</h2>
  {% if notes %}
  <h3>Notes</h3>
  {% for note in notes %}
  <article class="note"><h4><a href="{{ note.href }}">{{ note.title }}</a></h4><p class="long">{{ note.body }}</p></article>
  {% endfor %}
  {% endif %}
  {% if files %}
  <h3>Files</h3>
  <ul class="files">
  {% for file in files %}
    <li>{% if file.image %}<figure><img src="{{ file.href }}" alt="{{ file.title }}"><figcaption>{{ file.title }} · {{ file.size }}</figcaption></figure>
        {% else %}<a href="{{ file.href }}" download>{{ file.title }}{% if file.extension %}.{{ file.extension }}{% endif %}</a> <span class="muted">{{ file.size }}</span>{% endif %}</li>
  {% endfor %}
  </ul>
  {% endif %}
  {% if not notes and not files %}<p class="empty">No notes or files.</p>{% endif %}
</section>
{% endblock %}
"""

NOT_FOUND = """{% extends "base.html" %}
{% block main %}
<h1>Not found</h1>
<p>{{ message }}</p>
<p><a href="/view/">Back to the objects</a></p>
{% endblock %}
"""

TEMPLATES = {
    "base.html": BASE, "login.html": LOGIN, "home.html": HOME, "table.html": TABLE,
    "object_list.html": OBJECT_LIST, "record.html": RECORD, "not_found.html": NOT_FOUND,
}

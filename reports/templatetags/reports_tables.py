from django import template

from reports.tables import table_html

register = template.Library()


@register.simple_tag
def render_table(table, query=None):
    """A dashboard table with its chart; `query` (the page's filters) adds the CSV link."""
    return table_html(table, export_query=query)

"""Sample WhatsApp data for the demo, written by the project: chat exports as the app writes them
(Android and iOS, several languages, a group, attachments) and Cloud API webhook deliveries,
between business accounts in six countries and the fixed people of datasets/dev/dev.recipe.yml
(so the chats link to Contacts), plus numbers that match nobody.

Dates are the days before today in each business's time zone: the last two days are inside the
sync's 3-day window, a few older lines are outside it and must stay unlogged. The same day gives
the same files and message ids, so running the demo twice in a day stores nothing twice."""

"""Edit and view tokens for every board; existing boards get their own random pair."""

from django.db import migrations, models

import architectures.models


def fill_tokens(apps, schema_editor):
    # AddField evaluates a callable default once for all existing rows, so each row gets its own here.
    Board = apps.get_model("architectures", "Board")
    for board in Board.objects.only("pk").iterator():
        Board.objects.filter(pk=board.pk).update(edit_token=architectures.models.new_board_token(),
                                                 view_token=architectures.models.new_board_token())


class Migration(migrations.Migration):

    dependencies = [
        ("architectures", "0002_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="edit_token",
            field=models.CharField(default=architectures.models.new_board_token, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="board",
            name="view_token",
            field=models.CharField(default=architectures.models.new_board_token, editable=False, max_length=64),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
    ]

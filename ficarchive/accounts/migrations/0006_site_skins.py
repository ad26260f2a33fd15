"""Readers choose a site skin, light or dark, a text size and a line width (accounts.skins)."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_field_allow_lists'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='color_scheme',
            field=models.CharField(choices=[('system', 'Follow my device'), ('light', 'Light'), ('dark', 'Dark')], default='system', max_length=10, verbose_name='light or dark'),
        ),
        migrations.AddField(
            model_name='user',
            name='line_width',
            field=models.CharField(choices=[('narrow', 'Narrow (about 55 letters)'), ('medium', 'Medium (about 70 letters)'), ('wide', 'Wide (about 90 letters)'), ('full', 'The whole window')], default='medium', max_length=10),
        ),
        migrations.AddField(
            model_name='user',
            name='skin',
            field=models.CharField(choices=[('default', 'Default'), ('dark', 'Dark'), ('contrast', 'High contrast'), ('lowvision', 'Low vision (large text)')], default='default', max_length=10, verbose_name='site skin'),
        ),
        migrations.AddField(
            model_name='user',
            name='text_size',
            field=models.CharField(choices=[('90', 'Smaller (90%)'), ('100', 'Normal (100%)'), ('115', 'Larger (115%)'), ('130', 'Large (130%)'), ('150', 'Largest (150%)')], default='100', max_length=3),
        ),
    ]

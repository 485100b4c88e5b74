"""Nobody's name in a database copy (issue 12 point 12). "Victims may contact DVIP without anyone
outside the organisation knowing" (DVIP 3.07; Day-Mer: "including the fact of their visit"): a
client's name and date of birth, and a member of staff's TOTP secret, are nowhere in the database in
clear, yet a worker still finds their own clients by name, exactly or by the start of a name."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyotp
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from confide.keys import KeyStoreError
from confide.keys.runtime import key_store
from confide.keys.sealed import UNREADABLE as UNREADABLE_NAME
from confide.records.access import list_clients
from confide.records.identity import index_key, name_parts, name_tokens
from confide.records.models import Case, Client, ClientNameToken
from tests.audit.triggers import FlushableAuditLogMixin
from tests.base import CLIENT_NAME, OTHER_CLIENT_NAME, ConfideTestCase, clients_named

NEW_NAME = "Juniper Ashdown-Velloway"  # fictional


def raw_database() -> bytes:
    """Everything the database holds, as a copy of it would: on SQLite the bytes of the database
    itself (the test database lives in memory, so its image, free pages and all); on PostgreSQL every
    column of every row of every table, as text."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return connection.connection.serialize()
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 -- names from the database itself
            for row in cursor.fetchall():
                for value in row:
                    chunks.append(bytes(value) if isinstance(value, memoryview | bytes) else str(value).encode())
    return b"\x00".join(chunks)


class NothingInClearTests(ConfideTestCase):
    def test_a_client_taken_through_the_pages_leaves_no_name_or_date_of_birth_in_the_database(self):
        self.sign_in("assigned")
        response = self.client.post(reverse("web:new_referral"), {
            "name": NEW_NAME, "date_of_birth": "27 3 1985", "subject_role": "victim", "service": "vpp"})
        self.assertEqual(response.status_code, 302)
        self.assertContains(self.client.get(response["Location"]), NEW_NAME, msg_prefix="the worker still sees it")
        found = clients_named(NEW_NAME)
        self.assertEqual([str(client.date_of_birth) for client in found], ["1985-03-27"])
        raw = raw_database()
        self.assertIn(b"records_client" if connection.vendor == "sqlite" else b"vpp", raw, "the database with the case in it")
        for name in (NEW_NAME, CLIENT_NAME, OTHER_CLIENT_NAME):
            for text in {name, *name.replace("-", " ").split()}:
                for form in (text, text.lower(), text.upper()):
                    self.assertNotIn(form.encode(), raw, "a client's name")
        for born in ("1985-03-27", "19850327", "27/03/1985"):
            self.assertNotIn(born.encode(), raw, "a client's date of birth")

    def test_the_index_holds_keyed_hashes_never_a_name_or_a_part_of_one(self):
        client = self.p["client"]
        tokens = set(ClientNameToken.objects.filter(client=client).values_list("token", flat=True))
        self.assertEqual(tokens, name_tokens(index_key(), CLIENT_NAME))
        # "zelda quillfeather": each part whole and each prefix of it from two letters.
        self.assertEqual(len(tokens), sum(len(part) - 1 for part in name_parts(CLIENT_NAME)))
        prefixes = {part[:n] for part in name_parts(CLIENT_NAME) for n in range(1, len(part) + 1)}
        self.assertFalse({token.lower() for token in tokens} & prefixes)
        self.assertTrue(all(len(token) == 22 for token in tokens))
        self.assertNotIn(index_key(), raw_database(), "the index key is kept in the key store, not the database")

    def test_a_sealed_name_opens_only_as_that_clients_name(self):
        client, other = self.p["client"], self.p["other_client"]
        self.assertEqual(Client.objects.get(pk=client.pk).display_name, CLIENT_NAME)
        with self.assertRaises(KeyStoreError):  # moved onto another client's row
            key_store().decrypt(other.pk, bytes(Client.objects.get(pk=client.pk).name_sealed), Client.sealed_name.context(client))
        with self.assertRaises(KeyStoreError):  # or onto another field of the same client
            key_store().decrypt(client.pk, bytes(Client.objects.get(pk=client.pk).name_sealed), "client:date_of_birth")

    def test_a_staff_totp_secret_is_sealed_and_still_signs_in(self):
        user = self.p["assigned"]
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_confirmed_at = secret, user.date_joined
        user.save()
        self.assertNotIn(secret.encode(), raw_database())
        self.assertEqual(type(user).objects.get(pk=user.pk).totp_secret, secret)
        with self.assertRaises(KeyStoreError):  # bound to its account
            key_store().unseal_installation(f"user:{self.p['other_team'].pk}:totp_secret", bytes(user.totp_secret_sealed))
        response = self.client.post(reverse("accounts:login"), {"username": "assigned", "password": "assigned-password-1"})
        self.assertEqual(response.status_code, 302)
        signed_in = self.client.post(reverse("accounts:second_factor"), {"code": pyotp.TOTP(secret).now()})
        self.assertEqual(signed_in.status_code, 302)


class SearchThroughTheIndexTests(ConfideTestCase):
    def test_exact_and_prefix_searches_find_the_client_and_nobody_elses(self):
        for query in (CLIENT_NAME, "Zelda", "zel", "QUILL", "Quillfeather Zelda", "zelda q"):
            with self.subTest(query=query):
                self.assertEqual([c.pk for c in list_clients(self.p["assigned"], query=query)], [self.p["client"].pk])
        self.assertEqual(list_clients(self.p["assigned"], query="Thistle"), [], "another team's client stays out")
        self.assertEqual(list_clients(self.p["other_team"], query="zel"), [])
        self.assertEqual([c.pk for c in list_clients(self.p["other_team"], query="Thistle")], [self.p["other_client"].pk])
        self.assertEqual(list_clients(self.p["assigned"], query="elda"), [], "a part's start, not its middle")

    def test_a_listed_name_is_decrypted_and_a_destroyed_clients_is_unreadable(self):
        with tempfile.TemporaryDirectory() as folder, override_settings(KEYSTORE_PATH=Path(folder) / "keys.sqlite3"):
            client = Client.objects.create(display_name="Marigold Fenwick-Ashe", team=self.p["north"])
            Case.objects.create(client=client, service=self.p["case"].service,
                                team=self.p["north"]).workers.add(self.p["assigned"])
            listed = {c.pk: c.display_name for c in list_clients(self.p["assigned"], query="marigold")}
            self.assertEqual(listed, {client.pk: "Marigold Fenwick-Ashe"})
            key_store().destroy(client.pk)
            listed = {c.pk: c.display_name for c in list_clients(self.p["assigned"], query="fenwick")}
            self.assertEqual(listed, {client.pk: UNREADABLE_NAME})
            self.assertEqual(Client.objects.get(pk=client.pk).display_name, UNREADABLE_NAME)
            self.assertIsNone(Client.objects.get(pk=client.pk).date_of_birth)


class SealExistingClientsMigrationTests(FlushableAuditLogMixin, TransactionTestCase):
    """Records migration 0007 and accounts migration 0005 seal what an installation already holds,
    then drop the clear columns: nothing is lost, and nobody sets up their phone again."""

    def test_existing_names_dates_of_birth_and_totp_secrets_are_sealed_and_indexed(self):
        before = [("records", "0006_referral_consent"), ("accounts", "0004_hashed_sessions")]
        after = [("records", "0008_rewrite_without_cleartext")]
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        apps = executor.loader.project_state(before).apps
        team = apps.get_model("accounts", "Team").objects.create(name="East team", slug="east")
        old = apps.get_model("records", "Client").objects.create(display_name="Primrose Oakhanger", team_id=team.pk,
                                                                date_of_birth="1979-11-05")
        user = apps.get_model("accounts", "User").objects.create(username="eastworker", totp_secret="JBSWY3DPEHPK3PXP")
        many = [f"Hollis{n:04d} Wrenfield" for n in range(400)]
        apps.get_model("records", "Client").objects.bulk_create(
            [apps.get_model("records", "Client")(display_name=name, team_id=team.pk) for name in many])
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        executor = MigrationExecutor(connection)  # then on to today's schema, which the models below read
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        client = Client.objects.get(pk=old.pk)
        self.assertEqual((client.display_name, str(client.date_of_birth)), ("Primrose Oakhanger", "1979-11-05"))
        self.assertEqual(set(ClientNameToken.objects.filter(client=client).values_list("token", flat=True)),
                         name_tokens(index_key(), "Primrose Oakhanger"))
        self.assertEqual(type(self).user_model().objects.get(pk=user.pk).totp_secret, "JBSWY3DPEHPK3PXP")
        raw = raw_database()
        for text in (b"Primrose", b"Oakhanger", b"1979-11-05", b"JBSWY3DPEHPK3PXP", *(name.encode() for name in many)):
            self.assertNotIn(text, raw, "nothing is left behind in the database's free space either")

    @staticmethod
    def user_model():
        from django.contrib.auth import get_user_model

        return get_user_model()

"""Issue 17: returned money. An utfall can be a credit (återbetalning): typed with a minus
sign in the chat, or in a file marked by its comment or a `kredit` column. It lowers the
utfall, so what återstår (kvar) includes it."""

from __future__ import annotations

from datetime import datetime

from bot.budget_files import read_budget_file, write_csv, write_xlsx
from storage import budget_lines
from storage.tenants import first_organ
from tests.budget_support import load_2021, plain, send_file
from tests.conftest import STOCKHOLM, Chat

FILE = ("insats;år;beviljat;utfall;datum;kommentar;kredit\n"
        "Vidare Vy;2022;455 000;;2022-01-15;Beslut;\n"
        "Vidare Vy;2022;;-227 223;2022-06-30;Delårsbokslut;\n"
        "Vidare Vy;2022;;-12 000;2022-09-30;Återbetalning av bidrag;\n"
        "Vidare Vy;2022;;8 000;2022-10-31;Faktura 4711;ja\n"
        "Vidare Vy;2022;;-1 000;2022-11-30;Betalt med kreditkort;nej\n")


def test_a_credit_in_the_chat_lowers_the_utfall(ovik: Chat) -> None:
    load_2021(ovik)  # Vidare Vy 2021: beviljat 455 000 kr, utfall 227 223 kr
    ovik.now = datetime(2021, 12, 2, 10, 0, tzinfo=STOCKHOLM)
    assert plain(ovik.text("!utfall Vidare Vy -12 000 2021-11-30 återbetalning")) == (
        "Återbetalning bokförd: Vidare Vy −12 000 kr per den 30 november 2021 "
        "(återbetalning).\n"
        "Vidare Vy 2021: beviljat 455 000 kr, utfall 215 223 kr (47 %), kvar 239 777 kr.")
    card = plain(ovik.text("!budget Vidare Vy 2021")).splitlines()
    assert card[1:4] == [
        "- Beviljat: 455 000 kr",
        "- Utfall: 215 223 kr (47 % av beviljat), efter återbetalningar på 12 000 kr",
        "- Kvar: 239 777 kr"]
    table = plain(ovik.text("!budget 2021"))
    assert "| Vidare Vy | 455 000 kr | 215 223 kr | 239 777 kr | 47 % |" in table
    assert "Utfallet är netto: återbetalningar på 12 000 kr är avräknade." in table
    # The word alone says it too, as in a file; a cost stays a cost.
    assert plain(ovik.text("!utfall Vidare Vy 3 000 Återbetalning av bidrag")).startswith(
        "Återbetalning bokförd: Vidare Vy −3 000 kr per den 2 december 2021 "
        "(Återbetalning av bidrag).\nVidare Vy 2021: beviljat 455 000 kr, utfall 212 223 kr")
    undone = plain(ovik.text("!budget ångra"))  # 'bokfört' is the wall clock's time
    assert undone.startswith(
        "Återbetalningen är borttagen: Vidare Vy −3 000 kr per den 2 december 2021 "
        "(Återbetalning av bidrag), bokfört ")
    assert undone.endswith(" av Pär Eriksson.")
    assert "- Utfall: 215 223 kr (47 % av beviljat)," in plain(ovik.text("!budget Vidare Vy 2021"))
    assert plain(ovik.text("!utfall Vidare Vy 1 500 kreditkort, fika")).startswith(
        "Utfall bokfört: Vidare Vy 1 500 kr per den 2 december 2021 (kreditkort, fika).")


def test_an_insats_with_only_a_credit_shows_a_negative_utfall(ovik: Chat) -> None:
    ovik.text("!insats ny Steg framåt")
    assert plain(ovik.text("!utfall Steg framåt -5 000 2021-05-03 återbetalning")) == (
        "Återbetalning bokförd: Steg framåt −5 000 kr per den 3 maj 2021 (återbetalning).\n"
        "Steg framåt 2021: beviljat 0 kr, utfall −5 000 kr, kvar 5 000 kr.")
    assert "| Steg framåt | 0 kr | −5 000 kr | 5 000 kr | – |" in plain(ovik.text("!budget 2021"))


def test_credits_in_a_file_by_comment_or_kredit_column_and_back(ovik: Chat) -> None:
    ovik.now = datetime(2022, 12, 1, 10, 0, tzinfo=STOCKHOLM)
    reply = plain(send_file(ovik, "!budget import", "budget-2022.csv", FILE.encode()).text)
    assert reply.startswith("Importerat budget-2022.csv (5 rader, 2022): 1 nytt beviljat belopp "
                            "och 4 nya utfall.")
    card = plain(ovik.text("!budget Vidare Vy 2022")).splitlines()
    # Costs 227 223 + 1 000, credits 12 000 + 8 000: 208 223 kr net, 246 777 kr kvar.
    assert card[1:4] == [
        "- Beviljat: 455 000 kr",
        "- Utfall: 208 223 kr (46 % av beviljat), efter återbetalningar på 20 000 kr",
        "- Kvar: 246 777 kr"]
    with ovik.app.db.transaction() as session:
        organ = first_organ(session)
        assert organ is not None
        lines = budget_lines.export_lines(session, organ.forbund_id, 2022)
    exported = write_csv(lines).decode("utf-8-sig").splitlines()
    assert exported == [
        "insats;år;beviljat;utfall;datum;kommentar;kredit",
        "Vidare Vy;2022;455000;;2022-01-15;Beslut;",
        "Vidare Vy;2022;;227223;2022-06-30;Delårsbokslut;",
        "Vidare Vy;2022;;-12000;2022-09-30;Återbetalning av bidrag;ja",
        "Vidare Vy;2022;;-8000;2022-10-31;Faktura 4711;ja",
        "Vidare Vy;2022;;1000;2022-11-30;Betalt med kreditkort;"]
    spent = [ln.spent_ore for ln in lines if ln.spent_ore is not None]
    assert spent == [22722300, -1200000, -800000, 100000]
    for data, name in ((write_csv(lines), "ut.csv"), (write_xlsx(lines), "ut.xlsx")):
        assert [ln.spent_ore for ln in read_budget_file(data, name)
                if ln.spent_ore is not None] == spent
        again = plain(send_file(ovik, "!budget import", name, data).text)
        assert again.startswith(f"Importerat {name} (5 rader, 2022): 0 nya beviljade belopp "
                                "och 0 nya utfall; 5 fanns redan och lämnades orörda.")


def test_a_kredit_cell_that_is_no_yes_or_no_is_an_error_on_its_row(ovik: Chat) -> None:
    data = FILE.replace("Faktura 4711;ja", "Faktura 4711;kanske").encode()
    assert plain(send_file(ovik, "!budget import", "budget.csv", data).text) == (
        "budget.csv lästes inte in; inget är sparat. Rätta filen och skicka den igen:\n"
        "- Rad 5: kredit: ”kanske” ska vara ja eller nej (ja när raden är en återbetalning)")
    assert "Vidare Vy" not in ovik.text("!insatser")

"""PDF writers (fpdf2, pure Python): a project sheet, and a search report with its figures and its list.

A PDF is assembled whole before it is sent, so the report lists at most ``REPORT_MAX_ROWS`` projects and
says so; its figures (counts by theme, country and status) cover every result. The full list of a large
search is what the CSV and XLSX exports are for.

Text is set in the PDF standard Helvetica with the Windows-1252 encoding, which covers French (é, à, œ,
€, «  », —); a letter outside it (a Vietnamese or Turkish place name…) is written without its accents,
and a character with no Latin equivalent as "?". Embedding a Unicode font would need a TrueType file we do
not ship.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .rows import FINANCING_KIND, PARTNERSHIP_KIND, PROJECT_STATUS, ProjectRow
from .sheet import ProjectSheet, text_titles

ENCODING = "windows-1252"
REPORT_MAX_ROWS = 1000
PORTAL = "Portail de la coopération décentralisée"


def pdf_text(value) -> str:
    """``value`` as text Helvetica can show in Windows-1252."""
    text = "" if value is None else str(value)
    try:
        text.encode(ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
            out.append(char)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
            try:
                base.encode(ENCODING)
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def french_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def french_number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def french_amount(value: Decimal | None) -> str:
    if value is None:
        return "—"
    # 1 234 567,89 € with a narrow no-break space written as a plain space (not in Windows-1252).
    whole, _, cents = f"{value:,.2f}".partition(".")
    return f"{whole.replace(',', ' ')},{cents} €"


class Document(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.set_title(pdf_text(title))
        self.set_author(pdf_text(PORTAL))
        self.set_creator("coopdec")
        self.set_lang("fr")
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def footer(self):
        self.set_y(-12)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 6, pdf_text(f"{PORTAL} — page {self.page_no()}/{{nb}}"), align="C")

    def heading(self, text: str, size: int = 13):
        self.ln(2)
        self.set_font("Helvetica", "B", size)
        self.multi_cell(0, size * 0.55, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, *, size: int = 10, style: str = ""):
        self.set_font("Helvetica", style, size)
        self.multi_cell(0, 5, pdf_text(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def field(self, label: str, value: str):
        self.set_font("Helvetica", "B", 10)
        self.write(5, pdf_text(f"{label} : "))
        self.set_font("Helvetica", "", 10)
        self.write(5, pdf_text(value or "—"))
        self.ln(6)

    def grid(self, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]):
        self.set_font("Helvetica", "", 8)
        with self.table(col_widths=widths, text_align="LEFT", first_row_as_headings=True) as table:
            heading = table.row()
            for header in headers:
                heading.cell(pdf_text(header))
            for values in rows:
                line = table.row()
                for value in values:
                    line.cell(pdf_text(value))


def authority_line(row: ProjectRow) -> str:
    return ", ".join(authority.name for authority in row.french)


def partner_line(row: ProjectRow) -> str:
    return ", ".join(
        f"{partner.name} ({partner.country_name})" if partner.country_name else partner.name
        for partner in row.foreign
    )


def project_sheet_pdf(sheet: ProjectSheet) -> bytes:
    row = sheet.row
    pdf = Document(row.title)
    pdf.set_font("Helvetica", "", 9)
    pdf.cell(0, 5, pdf_text(f"{PORTAL} — fiche-projet {row.slug}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.heading(row.title, size=16)
    pdf.field("Statut", PROJECT_STATUS.get(row.status, row.status))
    pdf.field("Dates", f"du {french_date(row.start_date)} au {french_date(row.end_date)}")
    pdf.field("Thématiques", ", ".join(label for _code, label in row.themes))
    pdf.field(
        "Partenariat",
        f"{row.partnership_title} ({PARTNERSHIP_KIND.get(row.partnership_kind, row.partnership_kind)})",
    )
    pdf.field(
        "Collectivités françaises", authority_line(row) + (" — chef de file en premier" if row.french else "")
    )
    pdf.field("Partenaires étrangers", partner_line(row))
    if row.last_confirmed_at:
        pdf.field("Dernière confirmation", french_date(row.last_confirmed_at.date()))
    for name, title in text_titles().items():
        if sheet.texts.get(name):
            pdf.heading(title)
            pdf.paragraph(sheet.texts[name])
    if row.financings:
        pdf.heading("Financements")
        pdf.grid(
            ("Année", "Financeur", "Nature", "Montant"),
            (
                (
                    line.year,
                    line.funder_name,
                    FINANCING_KIND.get(line.kind, line.kind),
                    french_amount(line.amount),
                )
                for line in row.financings
            ),
            (15, 80, 50, 35),
        )
        pdf.field("Total", french_amount(row.total_amount))
    if sheet.participants:
        pdf.heading("Autres participants")
        pdf.grid(
            ("Nom", "Nature", "Pays", "Rôle"),
            (
                (item["name"], item["kind_label"], item["country_name"] or "", item["role"])
                for item in sheet.participants
            ),
            (60, 35, 30, 55),
        )
    if sheet.volunteers:
        pdf.heading("Volontaires")
        pdf.grid(
            ("Année", "Dispositif", "Nombre"),
            ((item["year"], item["programme_label"], item["count"]) for item in sheet.volunteers),
            (20, 130, 30),
        )
    if sheet.contacts:
        pdf.heading("Contacts")
        for contact in sheet.contacts:
            pdf.paragraph(f"{contact['name']}" + (f" — {contact['function']}" if contact["function"] else ""))
    return bytes(pdf.output())


def search_report_pdf(
    *,
    title: str,
    criteria: Sequence[tuple[str, str]],
    count: int,
    figures: Sequence[tuple[str, Sequence[tuple[str, int]]]],
    rows: Iterable[ProjectRow],
    generated_at: datetime.datetime,
) -> bytes:
    """A search report: criteria, the figures of every result, then the first ``REPORT_MAX_ROWS``."""
    pdf = Document(title)
    pdf.heading(title, size=16)
    pdf.paragraph(f"{PORTAL} — rapport établi le {generated_at:%d/%m/%Y à %H:%M}", size=9)
    pdf.heading("Critères")
    if criteria:
        for label, value in criteria:
            pdf.field(label, value)
    else:
        pdf.paragraph("Aucun critère : tous les projets de l'Atlas.")
    pdf.heading("Chiffres")
    pdf.field("Projets trouvés", french_number(count))
    for heading, counts in figures:
        if counts:
            pdf.heading(heading, size=11)
            pdf.grid(("", "Projets"), ((label, french_number(n)) for label, n in counts), (140, 40))
    pdf.heading("Liste des projets")
    if count > REPORT_MAX_ROWS:
        pdf.paragraph(
            f"Les {french_number(REPORT_MAX_ROWS)} premiers projets sur {french_number(count)}, dans l'ordre "
            "de la recherche ; la liste complète est dans les exports CSV et XLSX.",
            size=9,
            style="I",
        )
    pdf.grid(
        ("Projet", "Collectivité cheffe de file", "Pays", "Début", "Statut"),
        (
            (
                row.title,
                row.lead.name if row.lead else "",
                ", ".join(name for _code, name in row.countries),
                french_date(row.start_date),
                PROJECT_STATUS.get(row.status, row.status),
            )
            for row in rows
        ),
        (65, 45, 30, 18, 22),
    )
    return bytes(pdf.output())

"""What an uploaded file really is, read from its content (never from its name), and where
it is kept: a random name in the uploads folder of the data directory, outside the web root.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

MAX_FILE_SIZE = 10 * 1024 * 1024  # 10 MB

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word/Excel/PowerPoint 97–2003
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (OLE2_SIGNATURE, "application/vnd.ms-office"),
)
_OOXML_PARTS = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}


MAX_ZIP_ENTRIES = 10_000
_MIMETYPE_MAX_SIZE = 100  # "application/vnd.oasis.opendocument.presentation" is 46 bytes


def _zip_office_type(data: bytes) -> str | None:
    """Read only the archive's directory and, for OpenDocument, its tiny ``mimetype`` entry,
    never more than 100 bytes of it: a "zip bomb" is not unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ZIP_ENTRIES:
                return None
            names = {entry.filename for entry in entries}
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > _MIMETYPE_MAX_SIZE:
                    return None
                with archive.open(info) as handle:
                    raw = handle.read(_MIMETYPE_MAX_SIZE)
                declared = raw.decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
            if "[Content_Types].xml" in names:
                for prefix, content_type in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in names):
                        return content_type
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def sniff_content_type(data: bytes) -> str | None:
    """The content type of an allowed evidence file, or ``None`` when it is not one.

    Allowed: PDF, PNG, JPEG, GIF, WebP, Office documents (OOXML, OpenDocument, and
    the binary 97–2003 formats). SVG and HTML are refused: a browser may run scripts in them.

    >>> sniff_content_type(b"%PDF-1.7 ..."), sniff_content_type(b"<svg></svg>")
    ('application/pdf', None)
    """
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"PK\x03\x04"):
        return _zip_office_type(data)
    return None


def clean_file_name(name: str) -> str:
    """The file name as shown and offered on download: no folders, no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>:|?*').strip(" .")
    return kept[:200] or "file"


def store(uploads_dir: Path, data: bytes) -> str:
    """Write ``data`` under a new random name; returns that name (the storage key)."""
    uploads_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(16)
    (uploads_dir / key).write_bytes(data)
    return key


def is_storage_key(name: str) -> bool:
    """Whether ``name`` has the form :func:`store` gives its files (32 hex digits)."""
    return len(name) == 32 and all(ch in "0123456789abcdef" for ch in name)


def path_of(uploads_dir: Path, key: str) -> Path:
    if not key.isalnum():  # keys are hex; anything else never reaches the file system
        raise ValueError("invalid storage key")
    return uploads_dir / key


def remove(uploads_dir: Path, key: str) -> None:
    path_of(uploads_dir, key).unlink(missing_ok=True)


def unreferenced(uploads_dir: Path, referenced: set[str], before: float) -> list[str]:
    """The stored files whose key is not in ``referenced`` and that were last written before
    ``before`` (seconds since the epoch), by key, sorted. Only names of the form of a
    storage key, directly in the folder, are considered."""
    if not uploads_dir.is_dir():
        return []
    return [
        path.name
        for path in sorted(uploads_dir.iterdir())
        if is_storage_key(path.name)
        and path.name not in referenced
        and path.is_file()
        and path.stat().st_mtime < before
    ]


def remove_unreferenced(uploads_dir: Path, referenced: set[str], before: float) -> list[str]:
    """Remove the files :func:`unreferenced` names; returns their keys."""
    removed = unreferenced(uploads_dir, referenced, before)
    for key in removed:
        remove(uploads_dir, key)
    return removed

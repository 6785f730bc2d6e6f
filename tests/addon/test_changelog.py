"""CHANGELOG.md names the manifest's version: a release moves both."""

import ast
import re
from pathlib import Path

from ..pure import PureCase

ADDON = Path(__file__).resolve().parents[2]


def changelog_versions(text):
    """The versions of the changelog's sections, newest first."""
    return re.findall(r"^## (\d+\.\d+\.\d+\.\d+\.\d+)\s*$", text, re.MULTILINE)


class TestChangelog(PureCase):
    def test_newest_section_is_the_manifest_version(self):
        manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
        versions = changelog_versions((ADDON / "CHANGELOG.md").read_text())
        self.assertTrue(versions, "CHANGELOG.md has no '## 18.0.x.y.z' section")
        self.assertEqual(versions[0], manifest["version"], "add a CHANGELOG.md section for the new version")

    def test_versions_only_go_up(self):
        versions = changelog_versions((ADDON / "CHANGELOG.md").read_text())
        keys = [tuple(int(part) for part in version.split(".")) for version in versions]
        self.assertEqual(keys, sorted(keys, reverse=True))
        self.assertEqual(len(set(keys)), len(keys), "one section per version")

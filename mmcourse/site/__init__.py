"""The course as a static website (`make site`, `python -m mmcourse.site --out build/site`).

- `pages`: what the site holds, in lesson order, staged as a Sphinx source folder;
- `widgets`: each widget output as a static picture of its first state, with a note;
- `offline`: the check that no built page loads anything from an outside host;
- `build`: `build_site()`, Sphinx with MyST-NB on the committed notebooks (never executed).
"""

from mmcourse.site.build import SiteBuild, SiteError, build_site

__all__ = ["SiteBuild", "SiteError", "build_site"]

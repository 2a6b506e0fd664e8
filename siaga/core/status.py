"""The state of a deployment, as `siaga status --json` prints it."""

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from siaga.accounts.choices import Role
from siaga.accounts.models import User
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps


def deployment_status(*, regency_code: str) -> dict:
    """Counts under the deployment's regency (its province counts too), users by role, engine."""
    regency = Region.objects.filter(code=regency_code).first()
    province_code = regency_code.split(".")[0]
    under = Q(code=regency_code) | Q(code__startswith=regency_code + ".")
    counts = dict(
        Region.objects.filter(under | Q(code=province_code))
        .values_list("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    tps = Tps.objects.filter(desa__code__startswith=regency_code + ".").aggregate(
        n=Count("pk"), male=Coalesce(Sum("dpt_male"), 0), female=Coalesce(Sum("dpt_female"), 0)
    )
    users = dict(
        User.objects.filter(is_active=True).values_list("role").annotate(n=Count("pk")).order_by()
    )
    return {
        "database": connection.vendor,
        "regency": {"code": regency_code, "name": regency.name if regency else None},
        "regions": {level.value: counts.get(level.value, 0) for level in Level},
        "tps": tps["n"],
        "dpt": tps["male"] + tps["female"],
        "dpt_male": tps["male"],
        "dpt_female": tps["female"],
        "users": {role.value: users.get(role.value, 0) for role in Role},
    }

"""Factories for tests: regions, TPS, agencies and users of every role with a region scope."""

import factory

from siaga.accounts.choices import AgencyKind, Role
from siaga.accounts.models import Agency, User
from siaga.wilayah.choices import Level
from siaga.wilayah.models import Region, Tps


def region(code: str, name: str, **extra) -> Region:
    level = {2: Level.PROVINCE, 5: Level.REGENCY, 8: Level.DISTRICT, 13: Level.VILLAGE}[len(code)]
    parent = code.rsplit(".", 1)[0] if "." in code else None
    obj, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "level": level, "parent_id": parent, **extra}
    )
    return obj


class TpsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tps

    number = factory.Sequence(lambda n: n + 1)
    address = factory.Sequence(lambda n: f"Jl. Contoh No. {n}")
    lat = 0.5
    lon = 117.5
    dpt_male = 200
    dpt_female = 180


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda o: o.code.upper())
    kind = AgencyKind.PEMDA
    region_id = "64.08"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.LIAISON
    agency = factory.SubFactory(AgencyFactory)

    @factory.post_generation
    def scope(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.scope_regions.set(extracted)

    @factory.post_generation
    def tps(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.assigned_tps.set(extracted)


class World:
    """Two kecamatan (Sangatta Utara, Busang) with two desa each and two TPS per desa."""

    def __init__(self):
        self.province = region("64", "Kalimantan Timur")
        self.regency = region("64.08", "Kabupaten Kutai Timur")
        self.other_regency = region("64.01", "Kabupaten Paser")
        self.kec_a = region("64.08.04", "Sangatta Utara")
        self.kec_b = region("64.08.06", "Busang")
        self.desa_a1 = region("64.08.04.1001", "Singa Gembara")
        self.desa_a2 = region("64.08.04.1002", "Sangatta Utara")
        self.desa_b1 = region("64.08.06.2001", "Long Bentuq")
        self.desa_b2 = region("64.08.06.2002", "Rantau Sentosa")
        self.kec_other = region("64.01.01", "Batu Sopang")
        self.desa_other = region("64.01.01.2001", "Kasungai")
        self.tps = {}
        for desa in (self.desa_a1, self.desa_a2, self.desa_b1, self.desa_b2, self.desa_other):
            self.tps[desa.code] = [TpsFactory(desa=desa, number=n) for n in (1, 2)]
        self.agency = AgencyFactory(code="kesbangpol", name="Kesbangpol Kutai Timur")

    def user(self, role: Role, *, scope=None, tps=None, username=None) -> User:
        scope = scope if scope is not None else [self.regency]
        return UserFactory(
            username=username or f"{role}-{'-'.join(r.code for r in scope) or 'none'}",
            role=role,
            agency=self.agency,
            scope=scope,
            tps=tps,
        )

"""The voter check at the TPS over the API (POST /api/v1/voters/check), for the field app and
other clients: the same answer as the phone form, from ``siaga.voters.check.voter_check``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema, Status

from siaga.core.audit import AuditContext
from siaga.core.errors import PermissionDenied
from siaga.core.permissions import Action, require
from siaga.voters import check as service

router = Router(tags=["voters"])


class CheckIn(Schema):
    nik: str = Field(description="The 16-digit NIK as typed (spaces are ignored).")
    tps_id: int | None = Field(
        None, description="The TPS where the check is made (one the user may check from)."
    )


class PlaceOut(Schema):
    id: int = Field(description="TPS id.")
    label: str = Field(description="TPS number as written, e.g. TPS 007.")
    desa_code: str = Field(description="Kemendagri code of the TPS's desa.")
    desa_name: str
    kecamatan_name: str


class EarlierOut(Schema):
    tps: PlaceOut
    checked_at: dt.datetime


class CheckOut(Schema):
    status: str = Field(
        description="dicek_di_tps_lain, ganda_terkonfirmasi, dugaan_ganda, terdaftar or "
        "tidak_terdaftar (most urgent first)."
    )
    status_label: str = Field(description="The status in the user's language.")
    registered: bool = Field(description="The NIK is on the DPT.")
    tps: list[PlaceOut] = Field(
        description="Where the NIK is registered (several when the NIK is on several rows)."
    )
    shared_nik: bool = Field(
        description="The NIK is on several rows: a K2 data error or a double registration."
    )
    duplicate_status: str | None = Field(
        description="diduga or terkonfirmasi when the voter is in a double registration."
    )
    checked_elsewhere: list[EarlierOut] = Field(
        description="Checks of the same NIK earlier today at other TPS."
    )
    check_tps: PlaceOut | None = Field(description="The TPS of this check.")
    checked_at: dt.datetime
    alert_raised: bool = Field(
        description="This check raised the voting-day alert to Bawaslu and Polres."
    )


class ErrorOut(Schema):
    detail: str = Field(description="What was refused and why, in the user's language.")
    field: str | None = Field(None, description="The input at fault: nik or tps.")


@router.post(
    "/check",
    response={200: CheckOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 429: ErrorOut},
    summary="Is this NIK on the DPT? (the voter check at the TPS)",
    description=(
        "Answers whether the NIK is on the DPT, at which TPS, whether it is in a suspected or "
        "confirmed double registration and whether it was checked today at another TPS; never "
        "a name, birth date, address or NKK. Every check is recorded (the NIK only as a keyed "
        "hash) and audited. 429 with Retry-After over SIAGA_VOTER_CHECKS_PER_MINUTE per user; "
        "404 for a TPS the user may not check from; 403 without the voter-check permission."
    ),
)
def voter_check(request: HttpRequest, payload: CheckIn):
    user = request.auth
    try:
        require(user, Action.CHECK_VOTER)  # before the TPS: a refusal says nothing of TPS ids
        tps = service.check_tps_resolve(user=user, tps_id=payload.tps_id)
        result = service.voter_check(
            user=user,
            nik=payload.nik,
            tps=tps,
            context=AuditContext.from_request(request, channel="api"),
        )
    except service.VoterCheckRateLimited as exc:
        response = JsonResponse({"detail": str(exc), "field": None}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except service.VoterCheckNotFound as exc:
        return Status(404, {"detail": str(exc), "field": exc.field})
    except service.VoterCheckError as exc:
        return Status(400, {"detail": str(exc), "field": exc.field})
    except PermissionDenied as exc:
        return Status(403, {"detail": str(exc), "field": None})
    return Status(200, service.result_json(result))

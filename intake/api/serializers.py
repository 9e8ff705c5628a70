from rest_framework import serializers

from intake.models import Patient


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "public_id", "mrn", "first_name", "last_name", "date_of_birth", "sex",
            "address_line1", "address_line2", "city", "state", "zip_code", "phone",
            "guarantor_name", "guarantor_relationship",
        ]
        read_only_fields = ["public_id"]

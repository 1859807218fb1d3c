//! Classifier reports by the classifier they are about (`spec.classifierName`), so a classifier's
//! matching clusters cost a look-up, not a scan of every report.

use std::collections::HashMap;
use std::sync::Arc;

use super::stores::Stores;
use crate::fleet::kinds::{ClassifierReport, ManagementClusterClassifierReport};

#[derive(Clone, Debug, Default)]
pub struct ReportIndex {
    classifier: HashMap<String, Vec<Arc<ClassifierReport>>>,
    management: HashMap<String, Vec<Arc<ManagementClusterClassifierReport>>>,
}

impl ReportIndex {
    pub fn build(stores: &Stores) -> Self {
        let mut index = Self::default();
        // Stores iterate by namespace/name, so each list is in that order.
        for report in stores.classifier_reports.values() {
            index
                .classifier
                .entry(report.spec.classifier_name.clone())
                .or_default()
                .push(report.clone());
        }
        for report in stores.management_classifier_reports.values() {
            index
                .management
                .entry(report.spec.classifier_name.clone())
                .or_default()
                .push(report.clone());
        }
        index
    }

    /// ClassifierReports of the Classifier `name`.
    pub fn classifier_reports(&self, name: &str) -> &[Arc<ClassifierReport>] {
        self.classifier
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// ManagementClusterClassifierReports of the ManagementClusterClassifier `name`.
    pub fn management_reports(&self, name: &str) -> &[Arc<ManagementClusterClassifierReport>] {
        self.management
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}
